import { describe, expect, it } from "vitest";
import { demoKeycodeHeaders } from "../test-support/demo-tree.ts";
import { goldenPairs, keymapFixtures } from "../test-support/qmk-fixtures.ts";
import { accepted, parsedRequest } from "../test-support/requests.ts";
import { generateKeymapC } from "./keymap-c.ts";
import { LEGACY_KEYCODES } from "./legacy-keycodes.ts";
import { parseCompileRequestText } from "./parse-compile-request.ts";
import { keycodeNamesFromQmkSources } from "./qmk-keycode-names.ts";
import { translateKeycodes } from "./translate-keycodes.ts";

// The demo tree defines old and new names alike, as QMK did in 2024; a 2026 tree dropped the old ones.
const tree2024 = keycodeNamesFromQmkSources({ headers: demoKeycodeHeaders() });
const tree2026 = new Set([...tree2024].filter((name) => !LEGACY_KEYCODES.has(name)));

describe("LEGACY_KEYCODES", () => {
  it.each([
    ["RGB_TOG", "UG_TOGG"],
    ["RGB_MOD", "UG_NEXT"],
    ["RGB_RMOD", "UG_PREV"],
    ["KC_WH_U", "MS_WHLU"],
    ["KC_MS_U", "MS_UP"],
    ["KC_BTN1", "MS_BTN1"],
    ["KC_LCTRL", "KC_LCTL"],
    ["KC_NLCK", "KC_NUM"],
    ["RESET", "QK_BOOT"],
    ["KC_GESC", "QK_GESC"],
    ["EEP_RST", "EE_CLR"],
  ])("renames %s to %s first", (old, renamed) => {
    expect(LEGACY_KEYCODES.get(old)?.[0]).toBe(renamed);
  });

  it("maps only identifiers, never to an old name or itself", () => {
    for (const [old, renamed] of LEGACY_KEYCODES) {
      expect(old).toMatch(/^[A-Z_][A-Za-z0-9_]*$/); // QMK's old MIDI names had lower case: MI_Cs_1
      expect(renamed.length).toBeGreaterThan(0);
      for (const name of renamed) {
        expect(name).toMatch(/^[A-Z_][A-Z0-9_]*$/);
        expect(LEGACY_KEYCODES.has(name), `${old} -> ${name}, itself renamed`).toBe(false);
      }
    }
  });

  it("names keycodes the demo tree (written from QMK's keycode reference) defines", () => {
    const known = [...LEGACY_KEYCODES].filter(([, renamed]) => renamed.every((n) => tree2024.has(n)));
    // The demo tree leaves out joystick and programmable buttons (JS_*, PB_*) and MIDI (MI_*), and nothing
    // else on the list.
    const unknown = [...LEGACY_KEYCODES].filter(([, renamed]) => !renamed.some((n) => tree2024.has(n)));
    expect(
      unknown
        .map(([old]) => old)
        .filter((old) => !/^(JS_BUTTON\d+|PROGRAMMABLE_BUTTON_\d+|MI_\w+)$/.test(old)),
    ).toEqual([]);
    expect(known.length + unknown.length).toBe(LEGACY_KEYCODES.size);
  });
});

describe("translateKeycodes", () => {
  it("changes nothing when the tree is unknown", () => {
    const request = parsedRequest({ layers: [["RGB_TOG", "KC_FOO"]] });
    const result = translateKeycodes(request, null);
    expect(result).toEqual({ request, translations: [], errors: [] });
    expect(result.request).toBe(request);
  });

  it("leaves a request alone when the tree defines every name, old ones included", () => {
    const request = parsedRequest({
      layers: [["RGB_TOG", "LT(1, KC_WH_U)", "MT(MOD_LCTL | MOD_LSFT, KC_A)"]],
    });
    const result = translateKeycodes(request, tree2024);
    expect(result.translations).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.request).toBe(request);
  });

  it("renames old names the tree dropped, inside calls too, and says where", () => {
    const request = parsedRequest({
      layers: [
        ["RGB_TOG", "LT(1, KC_WH_U)"],
        ["ANY(LCTL(KC_LCTRL))", "MT(MOD_LCTL, KC_BTN1)"],
      ],
    });
    const result = translateKeycodes(request, tree2026);
    expect(result.errors).toEqual([]);
    expect(result.translations).toEqual([
      { path: "layers.0.0", from: "RGB_TOG", to: "UG_TOGG" },
      { path: "layers.0.1", from: "KC_WH_U", to: "MS_WHLU" },
      { path: "layers.1.0", from: "KC_LCTRL", to: "KC_LCTL" },
      { path: "layers.1.1", from: "KC_BTN1", to: "MS_BTN1" },
    ]);
    expect(result.request.layers).toEqual([
      ["UG_TOGG", "LT(1, MS_WHLU)"],
      ["ANY(LCTL(KC_LCTL))", "MT(MOD_LCTL, MS_BTN1)"],
    ]);
    expect(generateKeymapC(result.request)).toContain(
      "    [1] = LAYOUT_ortho_4x12(LCTL(KC_LCTL), MT(MOD_LCTL, MS_BTN1))\n",
    );
    expect(request.layers[0]).toEqual(["RGB_TOG", "LT(1, KC_WH_U)"]);
  });

  it("lists a name once per key however often the key uses it", () => {
    const result = translateKeycodes(parsedRequest({ layers: [["LT(KC_NLCK, KC_NLCK)"]] }), tree2026);
    expect(result.translations).toEqual([{ path: "layers.0.0", from: "KC_NLCK", to: "KC_NUM" }]);
  });

  it("falls back to QMK's long name when the tree lacks the short one", () => {
    const tree = new Set([...tree2026].filter((n) => n !== "UG_TOGG"));
    const result = translateKeycodes(parsedRequest({ layers: [["RGB_TOG"]] }), tree);
    expect(result.translations).toEqual([{ path: "layers.0.0", from: "RGB_TOG", to: "QK_UNDERGLOW_TOGGLE" }]);
  });

  it("keeps the rest of the request, macros and encoders included", () => {
    const request = parsedRequest({
      layers: [["RESET"]],
      notes: "n",
      encoders: [[{ ccw: "KC_B", cw: "KC_A" }]],
      macros: [["x"]],
    });
    const result = translateKeycodes(request, new Set([...tree2026, "SEND_STRING"]));
    expect(result.request.layers).toEqual([["QK_BOOT"]]);
    expect(result.request.notes).toBe("n");
    expect(result.request.encoders).toEqual([[{ ccw: "KC_B", cw: "KC_A" }]]);
    expect(generateKeymapC(result.request)).toContain('SEND_STRING("x");');
  });

  it.each([
    ...goldenPairs().map((p) => [p.name, p.json]),
    ...keymapFixtures().map((f) => [f.name, f.request]),
  ])("%s needs nothing renamed on the demo tree", (name, text) => {
    const result = translateKeycodes(
      accepted(parseCompileRequestText(text)),
      new Set([...tree2024, "SEND_STRING", "X_ENTER"]),
    );
    expect(result.errors, name).toEqual([]);
    expect(result.translations, name).toEqual([]);
  });
});

describe("translateKeycodes with a catalogue's renames", () => {
  const defined = new Set(["KC_A", "KC_B", "UG_TOGG", "RM_TOGG"]);
  const request = () => parsedRequest({ layers: [["KC_A", "RGB_TOG", "KC_OLD_B", "KC_B"]] });

  it("applies the catalogue's renames before QMK's built-in ones", () => {
    const renames = new Map([
      ["RGB_TOG", "RM_TOGG"],
      ["KC_OLD_B", "KC_B"],
    ]);
    const result = translateKeycodes(request(), defined, { renames });
    expect(result.errors).toEqual([]);
    expect(result.request.layers[0]).toEqual(["KC_A", "RM_TOGG", "KC_B", "KC_B"]);
    expect(result.translations.map((t) => t.to)).toEqual(["RM_TOGG", "KC_B"]);
  });

  it("ignores a rename whose target the tree lacks, and names the firmware version in errors", () => {
    const renames = new Map([["KC_OLD_B", "KC_GONE"]]);
    const result = translateKeycodes(request(), defined, { renames, firmwareVersion: "demo-9" });
    expect(result.request.layers[0]?.[1]).toBe("UG_TOGG");
    expect(result.errors).toEqual([
      { path: "layers.0.2", message: "unknown keycode KC_OLD_B for firmware demo-9" },
    ]);
  });
});

describe("translateKeycodes on keymap.json's other fields", () => {
  const defined = new Set(["KC_A", "KC_B", "UG_TOGG", "KC_VOLU", "KC_VOLD"]);

  it("checks and renames encoder keycodes like the layers'", () => {
    const request = parsedRequest({
      layers: [["KC_A", "KC_B"]],
      encoders: [[{ ccw: "RGB_TOG", cw: "KC_VOLU" }]],
    });
    const result = translateKeycodes(request, defined);
    expect(result.errors).toEqual([]);
    expect(result.translations).toEqual([{ path: "encoders.0.0.ccw", from: "RGB_TOG", to: "UG_TOGG" }]);
    expect(result.request.encoders).toEqual([[{ ccw: "UG_TOGG", cw: "KC_VOLU" }]]);
    expect(generateKeymapC(result.request)).toContain("ENCODER_CCW_CW(UG_TOGG, KC_VOLU)");
  });

  it("refuses an encoder keycode the firmware lacks, at its path", () => {
    const request = parsedRequest({
      layers: [["KC_A", "KC_B"]],
      encoders: [[{ ccw: "KC_NOPE", cw: "KC_A" }]],
    });
    expect(translateKeycodes(request, defined).errors).toEqual([
      { path: "encoders.0.0.ccw", message: "unknown keycode KC_NOPE for this firmware" },
    ]);
  });

  it("takes the keymap's own keycodes and their aliases as defined", () => {
    const request = parsedRequest({
      layers: [["MY_KEY", "MK"]],
      keycodes: [{ key: "MY_KEY", aliases: ["MK"] }],
    });
    const result = translateKeycodes(request, defined);
    expect(result.errors).toEqual([]);
    expect(translateKeycodes(parsedRequest({ layers: [["MY_KEY", "KC_A"]] }), defined).errors).toHaveLength(
      1,
    );
  });
});
