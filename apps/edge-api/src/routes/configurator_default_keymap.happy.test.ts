import { beforeAll, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent } from "../../test-support/api-client.ts";
import { demoCatalogue, publishCatalogue } from "../../test-support/catalogue.ts";

// QMK Configurator's "Load Default" fetches keymaps/<first letter>/<keyboard, / as _>_default.json from the
// origin it was served from (its app actions' loadDefaultKeymap), reads `layout` and `layers`.
const agent = new Agent(target, "default-keymap-agent");

beforeAll(async () => {
  await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
});

describe("GET /keymaps/<letter>/<keyboard>_default.json", () => {
  it("answers a catalogue keyboard's default keymap in the shape of Configurator's static files", async () => {
    const res = await target.fetch("/keymaps/h/handwired_qmk_edge_split_rev1_default.json", {
      headers: { origin: "https://config.example.test" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const etag = res.headers.get("etag");
    expect(await res.json()).toEqual({
      keyboard: "handwired/qmk_edge_split/rev1",
      keymap: "default",
      layout: "LAYOUT_split_1x2",
      layers: [["KC_A", "KC_B"]],
      version: 1,
    });
    const again = await target.fetch("/keymaps/h/handwired_qmk_edge_split_rev1_default.json", {
      headers: { "if-none-match": etag ?? "" },
    });
    expect(again.status).toBe(304);
  });

  it("falls back to the static files beside the API, else 404 JSON", async () => {
    // In the catalogue but without a default keymap, and not among the static files.
    const none = await target.fetch("/keymaps/h/handwired_qmk_edge_demo_default.json");
    expect(none.status).toBe(404);
    expect(((await none.json()) as { code: number }).code).toBe(404);
    // Not in the catalogue; the served web app has its own file.
    const fromStatic = await target.fetch("/keymaps/z/zz_static_only_default.json");
    expect(fromStatic.status).toBe(200);
    expect(await fromStatic.json()).toMatchObject({ keyboard: "zz/static_only", layers: [["KC_A"]] });
  });

  it("never reads a path it does not recognise (wrong letter, odd names)", async () => {
    for (const path of [
      "/keymaps/x/handwired_qmk_edge_split_rev1_default.json",
      "/keymaps/h/handwired_qmk_edge_split_rev1.json",
      "/keymaps/h/..%2f..%2fjobs_default.json",
      "/keymaps/H/handwired_qmk_edge_split_rev1_default.json",
    ]) {
      const res = await target.fetch(path);
      expect(res.status, path).toBe(404);
      await res.body?.cancel();
    }
  });
});
