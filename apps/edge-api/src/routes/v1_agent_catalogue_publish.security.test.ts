import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError } from "../../test-support/api-client.ts";
import { demoCatalogue, publishCatalogue, publishManifest, putObject } from "../../test-support/catalogue.ts";

const trusted = new Agent(target, "catalogue-trusted");
const community = Agent.withToken(target, "communityA", "catalogue-community");

// What every Configurator user sees comes only from the operator's own fleet.
describe("catalogue agent routes: who may write", () => {
  it("refuses community tokens with 403 JSON on every route, and nothing changes", async () => {
    const catalogue = await demoCatalogue(target.firmwareVersion);
    const missing = await community.post("/v1/agent/catalogue/objects/missing", {
      sha256: [catalogue.manifest.keycodes],
    });
    expect((await expectError(missing, 403)).message).toMatch(
      /trusted agent token; community-a is community/,
    );
    await expectError(await putObject(community, catalogue.objects[0]!), 403);
    await expectError(await publishManifest(community, catalogue.manifest), 403);
    const query = await trusted.post("/v1/agent/catalogue/objects/missing", {
      sha256: [catalogue.objects[0]!.sha256],
    });
    expect(await query.json()).toEqual({ missing: [catalogue.objects[0]!.sha256] });
    await expectError(await target.fetch("/v1/keyboard_list.json"), 404);
  });

  it("refuses a community token's publish of objects a trusted agent uploaded", async () => {
    const catalogue = await demoCatalogue(target.firmwareVersion);
    for (const o of catalogue.objects) expect((await putObject(trusted, o)).status).toBe(200);
    await expectError(await publishManifest(community, catalogue.manifest), 403);
    await expectError(await target.fetch("/v1/keyboard_list.json"), 404);
  });

  it("answers no token or an unknown one with 401", async () => {
    const res = await target.fetch("/v1/agent/catalogue/objects/missing", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sha256: [] }),
    });
    await expectError(res, 401);
    const stranger = new Agent(target, "stranger", ["avr"], "not-a-configured-token-000000");
    const { manifest } = await demoCatalogue(target.firmwareVersion);
    await expectError(await publishManifest(stranger, manifest), 401);
  });

  it("refuses hostile digests and versions in the URL before touching the store", async () => {
    const catalogue = await demoCatalogue(target.firmwareVersion);
    const object = catalogue.objects[0]!;
    for (const sha of ["..%2F..%2Fjobs%2Fx", "A".repeat(64), `${object.sha256}%00`, "a".repeat(65)]) {
      const res = await target.fetch(`/v1/agent/catalogue/objects/${sha}`, {
        method: "PUT",
        headers: trusted.auth({
          "content-type": object.contentType,
          "content-length": String(object.bytes.byteLength),
        }),
        body: object.bytes,
      });
      const body = await expectError(res, 400);
      expect(body.errors?.[0]?.path).toBe("sha256");
    }
    for (const version of ["..%2Fcurrent", "a%00b", "x".repeat(129), "%2e%2e%2fjobs"]) {
      const body = await expectError(await publishManifest(trusted, catalogue.manifest, version), 400);
      expect(body.errors?.[0]?.path).toBe("firmware_version");
    }
  });

  it("keeps keyboard names to QMK's grammar in a manifest", async () => {
    const catalogue = await demoCatalogue(target.firmwareVersion);
    await publishCatalogue(trusted, catalogue);
    const entry = catalogue.manifest.keyboards["handwired/qmk_edge_demo"]!;
    for (const name of ["../escape", "Upper/case", "a//b", "/lead", "a\u0000b", `${"k".repeat(129)}`]) {
      const manifest = {
        ...catalogue.manifest,
        keyboards: { ...catalogue.manifest.keyboards, [name]: entry },
      };
      const body = await expectError(await publishManifest(trusted, manifest), 422);
      expect(body.errors?.[0]?.path).toBe(`keyboards.${name}`);
    }
  });

  it("is not open to browsers: no CORS on the agent routes", async () => {
    const res = await target.fetch("/v1/agent/catalogue/objects/missing", {
      method: "OPTIONS",
      headers: { origin: "https://config.qmk.fm", "access-control-request-method": "POST" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
