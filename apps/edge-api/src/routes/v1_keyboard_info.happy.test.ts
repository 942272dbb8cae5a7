import { keyboardInfoResponse, keyboardListResponse } from "@qmk-edge/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent } from "../../test-support/api-client.ts";
import { demoCatalogue, publishCatalogue, type TestCatalogue } from "../../test-support/catalogue.ts";

const agent = new Agent(target, "keyboard-reads");
let catalogue: TestCatalogue;

beforeAll(async () => {
  catalogue = await demoCatalogue(target.firmwareVersion);
  await publishCatalogue(agent, catalogue);
});

const ORIGIN = { origin: "https://config.qmk.fm" };

describe("reading the keyboard catalogue", () => {
  it("lists the keyboards, sorted, cacheable and open to any origin", async () => {
    const res = await target.fetch("/v1/keyboard_list.json", { headers: ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{64}"$/);
    expect(keyboardListResponse.parse(await res.json()).keyboards).toEqual([
      "handwired/qmk_edge_demo",
      "handwired/qmk_edge_split/rev1",
    ]);
  });

  it("answers info.json of a keyboard with slashes in its name, as QMK's API does", async () => {
    const res = await target.fetch("/v1/keyboards/handwired/qmk_edge_split/rev1/info.json");
    expect(res.status).toBe(200);
    const body = keyboardInfoResponse.parse(await res.json());
    expect(body.last_updated).toBe(catalogue.manifest.last_updated);
    expect(body.keyboards).toEqual({
      "handwired/qmk_edge_split/rev1": catalogue.info["handwired/qmk_edge_split/rev1"],
    });
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
  });

  it("keeps every merged key of the info object, and the layout's key fields", async () => {
    const res = await target.fetch("/v1/keyboards/handwired/qmk_edge_demo/info.json");
    const info = ((await res.json()) as { keyboards: Record<string, Record<string, unknown>> }).keyboards[
      "handwired/qmk_edge_demo"
    ]!;
    expect(info.features).toEqual({ bootmagic: true });
    expect(info.layouts).toEqual(catalogue.info["handwired/qmk_edge_demo"]!.layouts);
    expect(info.layout_aliases).toEqual({ LAYOUT: "LAYOUT_ortho_2x2" });
  });

  it("answers an alias under the name asked for, since Configurator indexes keyboards by it", async () => {
    const res = await target.fetch("/v1/keyboards/handwired/qmk_edge_split/info.json");
    expect(res.status).toBe(200);
    const body = keyboardInfoResponse.parse(await res.json());
    expect(Object.keys(body.keyboards)).toEqual(["handwired/qmk_edge_split"]);
    expect(body.keyboards["handwired/qmk_edge_split"]).toEqual(
      catalogue.info["handwired/qmk_edge_split/rev1"],
    );
  });

  it("answers If-None-Match with 304 and no body, and a stale tag with the body", async () => {
    for (const path of [
      "/v1/keyboard_list.json",
      "/v1/keyboards/handwired/qmk_edge_demo/info.json",
      "/v1/keyboards/handwired/qmk_edge_demo/readme.md",
      "/v1/keyboards/handwired/qmk_edge_split/rev1/keymaps/default",
      "/v1/skeletons/keymap",
    ]) {
      const first = await target.fetch(path);
      expect(first.status, path).toBe(200);
      const etag = first.headers.get("etag")!;
      expect(etag, path).toMatch(/^"[0-9a-f-]+"$/);
      const again = await target.fetch(path, { headers: { "if-none-match": etag, ...ORIGIN } });
      expect(again.status, path).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
      expect(again.headers.get("access-control-allow-origin")).toBe("*");
      const stale = await target.fetch(path, { headers: { "if-none-match": '"0000"' } });
      expect(stale.status, path).toBe(200);
    }
  });

  it("gives an alias and its keyboard different tags for their different bodies, stable across reads", async () => {
    const tag = async (path: string) => (await target.fetch(path)).headers.get("etag");
    const direct = await tag("/v1/keyboards/handwired/qmk_edge_split/rev1/info.json");
    expect(await tag("/v1/keyboards/handwired/qmk_edge_split/rev1/info.json")).toBe(direct);
    expect(await tag("/v1/keyboards/handwired/qmk_edge_demo/info.json")).not.toBe(direct);
  });

  it("serves the readme as markdown and the default keymap as keymap.json", async () => {
    const readme = await target.fetch("/v1/keyboards/handwired/qmk_edge_demo/readme.md");
    expect(readme.status).toBe(200);
    expect(readme.headers.get("content-type")).toMatch(/^text\/markdown/);
    expect(await readme.text()).toBe(new TextDecoder().decode(catalogue.readme.bytes));
    const keymap = await target.fetch("/v1/keyboards/handwired/qmk_edge_split/keymaps/default");
    expect(keymap.status).toBe(200);
    expect(await keymap.json()).toMatchObject({ keymap: "default", layout: "LAYOUT_split_1x2", version: 1 });
  });

  it("answers the CORS preflight of a GET with If-None-Match", async () => {
    const res = await target.fetch("/v1/keyboards/handwired/qmk_edge_demo/info.json", {
      method: "OPTIONS",
      headers: {
        ...ORIGIN,
        "access-control-request-method": "GET",
        "access-control-request-headers": "if-none-match",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toContain("GET");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("if-none-match");
  });
});
