import { CATALOGUE_LIMITS } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError } from "../../test-support/api-client.ts";
import {
  demoCatalogue,
  demoInfo,
  publishCatalogue,
  publishManifest,
  putObject,
  testObject,
} from "../../test-support/catalogue.ts";

const agent = new Agent(target, "catalogue-errors");

describe("publishing a catalogue: errors", () => {
  it("refuses a manifest whose objects are not all stored, naming them, and keeps the old catalogue", async () => {
    await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
    const next = await demoCatalogue(target.firmwareVersion, { lastUpdated: "2026-12-09 00:00:00 UTC" });
    const unstored = await testObject({
      keyboard_name: "never uploaded",
      layouts: {},
      layout_aliases: {},
      keyboard_folder: "x",
    });
    next.manifest.keyboards["handwired/never_uploaded"] = {
      info: unstored.sha256,
      readme: null,
      default_keymap: null,
    };
    const body = await expectError(await publishManifest(agent, next.manifest), 409);
    expect(body.errors).toEqual([
      { path: "keyboards.handwired/never_uploaded.info", message: `object ${unstored.sha256} is not stored` },
    ]);
    const list = await (await target.fetch("/v1/keyboard_list.json")).json();
    expect(list).toMatchObject({ last_updated: "2026-12-02 19:00:00 UTC" });
  });

  it("lists at most 20 missing objects", async () => {
    const next = await demoCatalogue(target.firmwareVersion);
    for (let i = 0; i < 30; i++) {
      const o = await testObject({ n: i });
      next.manifest.keyboards[`handwired/missing_${i}`] = {
        info: o.sha256,
        readme: null,
        default_keymap: null,
      };
    }
    const body = await expectError(await publishManifest(agent, next.manifest), 409);
    expect(body.errors).toHaveLength(CATALOGUE_LIMITS.missingReported);
    expect(body.message).toMatch(/^30 object/);
  });

  it("refuses a manifest of another version than its URL", async () => {
    const { manifest } = await demoCatalogue(target.firmwareVersion);
    const body = await expectError(await publishManifest(agent, manifest, "other-7"), 422);
    expect(body.errors?.[0]?.path).toBe("firmware_version");
  });

  it("refuses a malformed manifest with the fields at fault", async () => {
    const { manifest } = await demoCatalogue(target.firmwareVersion);
    const broken = {
      ...manifest,
      keycodes: "not-a-digest",
      keyboards: { "handwired/qmk_edge_demo": { info: 7 } },
    };
    const body = await expectError(await publishManifest(agent, broken, target.firmwareVersion), 422);
    const paths = body.errors?.map((e) => e.path) ?? [];
    expect(paths).toContain("keycodes");
    expect(paths).toContain("keyboards.handwired/qmk_edge_demo.info");
  });

  it("refuses an alias to a keyboard the manifest lacks", async () => {
    const catalogue = await demoCatalogue(target.firmwareVersion);
    await publishCatalogue(agent, catalogue);
    const manifest = { ...catalogue.manifest, aliases: { "handwired/gone": "handwired/not_here" } };
    const body = await expectError(await publishManifest(agent, manifest), 422);
    expect(body.errors).toEqual([
      { path: "aliases.handwired/gone", message: expect.stringContaining("handwired/not_here") },
    ]);
  });

  it("refuses a keycodes object of another firmware version", async () => {
    const other = await demoCatalogue("other-3");
    await publishCatalogue(agent, other);
    const mine = await demoCatalogue(target.firmwareVersion);
    const manifest = { ...mine.manifest, keycodes: other.manifest.keycodes };
    for (const o of mine.objects) await putObject(agent, o);
    const body = await expectError(await publishManifest(agent, manifest), 422);
    expect(body.errors?.[0]).toMatchObject({ path: "keycodes", message: expect.stringContaining("other-3") });
  });

  it("answers malformed JSON with 400 and a wrong content type with 415", async () => {
    const url = `/v1/agent/catalogue/${target.firmwareVersion}/publish`;
    const bad = await target.fetch(url, {
      method: "POST",
      headers: agent.auth({ "content-type": "application/json" }),
      body: "{",
    });
    await expectError(bad, 400);
    const text = await target.fetch(url, {
      method: "POST",
      headers: agent.auth({ "content-type": "text/plain" }),
      body: "{}",
    });
    await expectError(text, 415);
  });
});

describe("uploading catalogue objects: errors", () => {
  it("refuses bytes that do not match the digest in the URL", async () => {
    const object = await testObject({ a: 1 });
    const other = await testObject({ a: 2 });
    const body = await expectError(await putObject(agent, { ...object, sha256: other.sha256 }), 422);
    expect(body.errors).toEqual([{ path: "sha256", message: `the body's sha256 is ${object.sha256}` }]);
    const query = await agent.post("/v1/agent/catalogue/objects/missing", { sha256: [other.sha256] });
    expect(await query.json()).toEqual({ missing: [other.sha256] });
  });

  it("refuses an object over 1 MiB with 413", async () => {
    const object = await testObject("x".repeat(CATALOGUE_LIMITS.objectBytes + 1), "text/markdown");
    await expectError(await putObject(agent, object), 413);
  });

  it("takes exactly 1 MiB", async () => {
    const object = await testObject("y".repeat(CATALOGUE_LIMITS.objectBytes), "text/markdown");
    expect((await putObject(agent, object)).status).toBe(200);
  });

  it("refuses other content types with 415 and JSON objects that do not parse with 422", async () => {
    const object = await testObject("{ not json", "application/json");
    await expectError(await putObject(agent, object, { "content-type": "application/octet-stream" }), 415);
    const body = await expectError(await putObject(agent, object), 422);
    expect(body.errors?.[0]?.path).toBe("");
  });

  it("refuses an upload without a Content-Length", async () => {
    const object = await testObject({ streamed: true });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(object.bytes);
        controller.close();
      },
    });
    const res = await target.fetch(`/v1/agent/catalogue/objects/${object.sha256}`, {
      method: "PUT",
      headers: agent.auth({ "content-type": "application/json" }),
      body: stream,
      duplex: "half",
    } as RequestInit);
    const body = await expectError(res, 422);
    expect(body.errors?.[0]?.path).toBe("content-length");
  });

  it("refuses more than 10000 digests in one query", async () => {
    const digest = "a".repeat(64);
    const res = await agent.post("/v1/agent/catalogue/objects/missing", {
      sha256: Array(10_001).fill(digest),
    });
    const body = await expectError(res, 422);
    expect(body.errors?.[0]?.path).toBe("sha256");
  });

  it("refuses a catalogue that drops most keyboards of the current one (409) unless the operator forces it", async () => {
    const shrinker = new Agent(target, "catalogue-shrink");
    const demo = demoInfo();
    const base = demo["handwired/qmk_edge_demo"]!;
    const many = { ...demo };
    for (let i = 0; i < 4; i++)
      many[`handwired/extra_${i}`] = { ...base, keyboard_folder: `handwired/extra_${i}` };
    await publishCatalogue(shrinker, await demoCatalogue(target.firmwareVersion, { keyboards: many }));

    const one = await demoCatalogue(target.firmwareVersion, {
      keyboards: { "handwired/qmk_edge_demo": base },
      lastUpdated: "2026-12-10 00:00:00 UTC",
    });
    const body = await expectError(await publishManifest(shrinker, one.manifest), 409);
    expect(body.message).toMatch(/drops 5 of the 6 keyboards/);
    expect(body.errors).toContainEqual({ path: "keyboards.handwired/extra_0", message: "dropped" });
    const list = (await (await target.fetch("/v1/keyboard_list.json")).json()) as { keyboards: string[] };
    expect(list.keyboards).toContain("handwired/extra_3");

    // ?force=true alone is not enough: only the operator may force it.
    const path = `/v1/agent/catalogue/${target.firmwareVersion}/publish?force=true`;
    await expectError(await shrinker.post(path, one.manifest), 409);
    const forced = await shrinker.post(path, one.manifest, {
      "x-qmk-edge-operator-token": target.operatorToken,
    });
    expect(forced.status).toBe(200);
    const after = (await (await target.fetch("/v1/keyboard_list.json")).json()) as { keyboards: string[] };
    expect(after.keyboards).not.toContain("handwired/extra_3");
  });
});
