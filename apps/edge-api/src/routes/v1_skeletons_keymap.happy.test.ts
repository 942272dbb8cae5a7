import { keymapSkeleton } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";

describe("GET /v1/skeletons/keymap", () => {
  it("answers Configurator's template, without any catalogue published", async () => {
    const res = await target.fetch("/v1/skeletons/keymap", { headers: { origin: "https://config.qmk.fm" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const body = keymapSkeleton.parse(await res.json());
    expect(body).toMatchObject({
      version: 1,
      keyboard: null,
      keymap: null,
      layout: null,
      layers: [],
      author: "",
    });
    expect(body.documentation.length).toBeGreaterThan(0);
  });
});
