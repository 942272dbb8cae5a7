import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError } from "../../test-support/api-client.ts";
import { demoCatalogue, publishCatalogue } from "../../test-support/catalogue.ts";

const agent = new Agent(target, "keyboard-hostile");

// Names from the URL are checked against QMK's grammar and then only looked up in the manifest: no store
// key is ever built from one.
describe("reading the keyboard catalogue: hostile names", () => {
  it("refuses names outside QMK's grammar with 400 JSON naming the field", async () => {
    await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
    const hostile = [
      "Handwired/QMK_EDGE_DEMO",
      "handwired/qmk_edge_demo%00",
      "handwired%2F..%2F..%2Fjobs",
      "handwired/..%2e/x",
      "handwired/a.b",
      "handwired/%20demo",
      `handwired/${"k".repeat(130)}`,
      "handwired//qmk_edge_demo",
    ];
    for (const name of hostile) {
      for (const route of ["info.json", "readme.md", "keymaps/default"]) {
        const res = await target.fetch(`/v1/keyboards/${name}/${route}`);
        const body = await expectError(res, 400);
        expect(body.errors?.[0]?.path, `${name}/${route}`).toBe("keyboard");
      }
    }
  });

  it("answers dot segments, which URL parsing removes, with 4xx JSON", async () => {
    for (const path of [
      "/v1/keyboards/../info.json",
      "/v1/keyboards/%2e%2e/%2e%2e/info.json",
      "/v1/keyboards/a/%2E%2E/info.json",
    ]) {
      const res = await target.fetch(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    }
  });

  it("does not find Object.prototype's members as keyboards", async () => {
    for (const name of ["constructor", "__proto__", "hasownproperty", "tostring"]) {
      const res = await target.fetch(`/v1/keyboards/${name}/info.json`);
      await expectError(res, 404);
    }
  });

  it("serves catalogue text with X-Content-Type-Options: nosniff (a readme is never sniffed into HTML)", async () => {
    await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
    for (const route of [
      "qmk_edge_demo/info.json",
      "qmk_edge_demo/readme.md",
      "qmk_edge_split/keymaps/default",
    ]) {
      const res = await target.fetch(`/v1/keyboards/handwired/${route}`);
      expect(res.status, route).toBe(200);
      expect(res.headers.get("x-content-type-options"), route).toBe("nosniff");
      await res.body?.cancel();
    }
    const list = await target.fetch("/v1/keyboard_list.json");
    expect(list.headers.get("x-content-type-options")).toBe("nosniff");
    await list.body?.cancel();
  });
});
