import { describe, expect, it } from "vitest";
import { catalogueManifest, cataloguePointer, keyboardInfoResponse, keymapSkeleton } from "./catalogue.ts";
import { keyboardName } from "./names.ts";

const hex = (c: string) => c.repeat(64);

describe("catalogue schemas", () => {
  it("take the contract's manifest example", () => {
    const manifest = {
      firmware_version: "demo-1",
      last_updated: "2026-12-02 19:00:00 UTC",
      keyboards: { "handwired/qmk_edge_demo": { info: hex("a"), readme: hex("b"), default_keymap: null } },
      aliases: { "handwired/qmk_edge": "handwired/qmk_edge_demo" },
      keycodes: hex("c"),
    };
    expect(catalogueManifest.parse(manifest)).toEqual(manifest);
    expect(
      cataloguePointer.parse({ manifest: hex("d"), published_at: "2026-12-02T19:00:00.000Z" }),
    ).toBeTruthy();
  });

  it("hold keyboard names to QMK's folder grammar", () => {
    for (const ok of ["planck/rev6", "0_sixty/base", "a_b/c_d"])
      expect(keyboardName.safeParse(ok).success).toBe(true);
    for (const bad of [
      "a-b/c",
      "..",
      "a/../b",
      "A/b",
      "a//b",
      "/a",
      "a/",
      "a\u0000",
      "a b",
      "k".repeat(129),
    ]) {
      expect(keyboardName.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("keep the merged keys of an info object and the layout keys' extra fields", () => {
    const info = {
      keyboard_name: "x",
      layouts: { LAYOUT: { layout: [{ matrix: [0, 0], x: 0, y: 0, r: 15, encoder: 0 }] } },
      layout_aliases: {},
      keyboard_folder: "x",
      features: { rgb: true },
    };
    const parsed = keyboardInfoResponse.parse({ last_updated: "now", keyboards: { x: info } });
    expect(parsed.keyboards.x).toEqual(info);
  });

  it("describe the static keymap skeleton exactly", () => {
    const skeleton = {
      version: 1,
      notes: "",
      documentation: "d",
      keyboard: null,
      keymap: null,
      layout: null,
      layers: [],
      author: "",
    };
    expect(keymapSkeleton.parse(skeleton)).toEqual(skeleton);
    expect(keymapSkeleton.safeParse({ ...skeleton, layers: [["KC_A"]] }).success).toBe(false);
  });
});
