import { catalogueMissingResponse, cataloguePublishResponse, keyboardListResponse } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent } from "../../test-support/api-client.ts";
import {
  demoCatalogue,
  demoInfo,
  publishCatalogue,
  publishManifest,
  putObject,
} from "../../test-support/catalogue.ts";

const agent = new Agent(target, "catalogue-agent");

async function keyboardList() {
  const res = await target.fetch("/v1/keyboard_list.json");
  expect(res.status).toBe(200);
  return keyboardListResponse.parse(await res.json());
}

describe("publishing a catalogue", () => {
  it("uploads only the missing objects, then publishes the manifest", async () => {
    const catalogue = await demoCatalogue(target.firmwareVersion);
    const query = await agent.post("/v1/agent/catalogue/objects/missing", {
      sha256: catalogue.objects.map((o) => o.sha256),
    });
    expect(query.status).toBe(200);
    const before = catalogueMissingResponse.parse(await query.json());
    expect(before.missing.sort()).toEqual(catalogue.objects.map((o) => o.sha256).sort());

    const first = catalogue.objects[0]!;
    const put = await putObject(agent, first);
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ sha256: first.sha256, size: first.bytes.byteLength, stored: true });
    // Idempotent: the same object again is accepted and not rewritten.
    expect(await (await putObject(agent, first)).json()).toMatchObject({ stored: false });

    const again = await agent.post("/v1/agent/catalogue/objects/missing", {
      sha256: [...catalogue.objects.map((o) => o.sha256), first.sha256],
    });
    const after = catalogueMissingResponse.parse(await again.json());
    expect(after.missing).not.toContain(first.sha256);
    expect(after.missing).toHaveLength(catalogue.objects.length - 1);

    const answer = cataloguePublishResponse.parse(await publishCatalogue(agent, catalogue));
    expect(answer).toMatchObject({ firmware_version: target.firmwareVersion, keyboards: 2 });
    expect(answer.manifest).toMatch(/^[0-9a-f]{64}$/);
    expect(await keyboardList()).toEqual({
      last_updated: "2026-12-02 19:00:00 UTC",
      keyboards: ["handwired/qmk_edge_demo", "handwired/qmk_edge_split/rev1"],
    });
  });

  it("answers the same manifest twice alike, and a new one replaces the old whole", async () => {
    const old = await demoCatalogue(target.firmwareVersion);
    const first = await publishCatalogue(agent, old);
    const res = await publishManifest(agent, old.manifest);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(first);

    const { "handwired/qmk_edge_demo": pad } = demoInfo();
    const next = await demoCatalogue(target.firmwareVersion, {
      lastUpdated: "2026-12-03 08:00:00 UTC",
      keyboards: {
        "handwired/qmk_edge_demo": pad!,
        "handwired/qmk_edge_third": { ...pad!, keyboard_folder: "handwired/qmk_edge_third" },
      },
    });
    const second = await publishCatalogue(agent, next);
    expect(second.manifest).not.toBe(first.manifest);
    expect(await keyboardList()).toEqual({
      last_updated: "2026-12-03 08:00:00 UTC",
      keyboards: ["handwired/qmk_edge_demo", "handwired/qmk_edge_third"],
    });
    expect((await target.fetch("/v1/keyboards/handwired/qmk_edge_split/rev1/info.json")).status).toBe(404);
  });

  it("publishes another firmware version without touching the served one", async () => {
    await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
    const served = await keyboardList();
    const other = await demoCatalogue("next-2", {
      keyboards: {
        "handwired/only_next": {
          ...demoInfo()["handwired/qmk_edge_demo"]!,
          keyboard_folder: "handwired/only_next",
        },
      },
    });
    expect((await publishCatalogue(agent, other)).firmware_version).toBe("next-2");
    expect(await keyboardList()).toEqual(served);
  });

  it("accepts a trusted token other than the local one", async () => {
    const fleet = Agent.withToken(target, "fleet");
    const answer = await publishCatalogue(fleet, await demoCatalogue(target.firmwareVersion));
    expect(answer.keyboards).toBe(2);
  });
});
