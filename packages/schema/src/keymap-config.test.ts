import { describe, expect, it } from "vitest";
import { compileRequest } from "./compile-request.ts";
import { CONFIG_DEFINES, CONFIG_RULES } from "./config-mappings.ts";
import { fieldErrors } from "./field-errors.ts";
import { keymapConfigErrors } from "./keymap-config.ts";

const request = {
  keyboard: "handwired/edge_pad",
  keymap: "mine",
  layout: "LAYOUT_ortho_4x4",
  layers: [Array(16).fill("KC_A")],
};

describe("happy", () => {
  it("accepts the settings real keymaps carry (splitkb/aurora/sweep, keebio/chiri_ce, binepad/bn009 via)", () => {
    expect(
      keymapConfigErrors({
        mousekey: { interval: 16, time_to_max: 40, delay: 100, wheel_delay: 100 },
        tapping: { term: 200, permissive_hold: true, force_hold: true },
        features: { tri_layer: true, caps_word: true, via: true, encoder_map: true },
        rgblight: {
          hue_steps: 8,
          sleep: true,
          animations: { breathing: true },
          default: { animation: "rainbow_swirl" },
        },
        encoder: { enabled: true },
        build: { lto: true },
      }),
    ).toEqual([]);
  });

  it("has one define or rule per honoured key, every name a C identifier", () => {
    const keys = [...CONFIG_DEFINES, ...CONFIG_RULES].map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of CONFIG_DEFINES) expect(d.define).toMatch(/^[A-Z][A-Z0-9_]*$/);
    for (const r of CONFIG_RULES) expect(r.rule).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });
});

describe("error", () => {
  it("names each refused or mistyped setting by its path", () => {
    expect(
      keymapConfigErrors({
        tapping: { term: "200", termm: 1 },
        matrix_pins: { cols: ["B1"] },
        processor: "atmega32u4",
        features: { tri_layer: 1, lto: true },
        backlight: { levels: 0 },
        mousekey: 5,
      }),
    ).toEqual([
      { path: "config.tapping.term", message: "expected a whole number from 0 to 4294967295" },
      { path: "config.tapping.termm", message: expect.stringMatching(/^not a keymap setting/) },
      { path: "config.matrix_pins", message: expect.stringMatching(/^not a keymap setting/) },
      { path: "config.processor", message: expect.stringMatching(/^not a keymap setting/) },
      { path: "config.features.tri_layer", message: "expected true or false" },
      { path: "config.features.lto", message: "QMK takes LTO from config.build.lto, not from features" },
      { path: "config.backlight.levels", message: "expected a whole number from 1 to 31" },
      { path: "config.mousekey", message: "expected an object" },
    ]);
  });

  it("reaches the request's field errors with the same paths", () => {
    const res = compileRequest.safeParse({ ...request, config: { usb: { vid: "0xFEED" } } });
    expect(res.error && fieldErrors(res.error)).toEqual([
      { path: "config.usb.vid", message: expect.stringMatching(/^not a keymap setting/) },
    ]);
    expect(compileRequest.safeParse({ ...request, config: [] }).success).toBe(false);
  });
});

describe("security", () => {
  const hostile: [string, unknown][] = [
    ["a define's value carrying more C", { tapping: { term: "200\n#include </etc/passwd>" } }],
    ["a number that is not plain digits", { tapping: { term: 1e300 } }],
    ["a negative number", { combo: { term: -1 } }],
    ["a fraction", { combo: { term: 1.5 } }],
    ["a make variable running a shell", { features: { "x = $(shell id)\nY": true } }],
    ["a feature name with a newline", { features: { "via\nSRC += /etc/passwd": true } }],
    ["a feature name with a path", { features: { "../../etc": true } }],
    ["a driver (a raw make value)", { rgblight: { driver: "$(shell touch /tmp/x)" } }],
    ["a pin (raw C)", { backlight: { pin: 'B1); system("x"' } }],
    ["a default animation that is C", { rgb_matrix: { default: { animation: "X\n#define Y" } } }],
    ["an animation name with a newline", { rgblight: { animations: { "a\nb": true } } }],
    ["a string where a flag goes", { tapping: { permissive_hold: "1\n#define X" } }],
    ["a path as the processor", { processor: "../../../etc/passwd" }],
    ["the layouts", { layouts: { LAYOUT: { layout: [] } } }],
  ];
  it.each(hostile)("refuses %s, naming the path", (_, config) => {
    const errors = keymapConfigErrors(config);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.path).toMatch(/^config\./);
    for (const e of errors) expect(e.message).not.toMatch(/shell|passwd|system|#define|\n/);
  });

  it("bounds a client key shown in a path", () => {
    const key = "a".repeat(10_000);
    const [e] = keymapConfigErrors({ [key]: 1 });
    expect(e?.path.length).toBeLessThan(80);
  });

  it("bounds the number of names", () => {
    const features = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}`, true]));
    expect(keymapConfigErrors({ features })).toEqual([
      { path: "config.features", message: "at most 64 names" },
    ]);
  });
});
