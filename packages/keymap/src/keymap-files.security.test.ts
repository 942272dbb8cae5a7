import { describe, expect, it } from "vitest";
import { minimalRequest, refusal } from "../test-support/requests.ts";
import { parseCompileRequest } from "./parse-compile-request.ts";

// Everything that reaches config.h, rules.mk, keymap.h or the encoder map is checked before any file is
// written: hostile values are refused with their path, so no generator ever sees them.
const refused = (fields: Record<string, unknown>) =>
  refusal(parseCompileRequest({ ...minimalRequest, ...fields })).errors;

describe("hostile keymap.json fields", () => {
  it.each([
    [
      "a define carrying a second line",
      { config: { tapping: { term: "1\n#define QMK_KEYBOARD_H <x>" } } },
      "config.tapping.term",
    ],
    [
      "a make variable that runs a shell",
      { config: { features: { "a_enable := $(shell id) #": true } } },
      "config.features.a_enable := $(shell id) #",
    ],
    [
      "a feature name with a newline",
      { config: { features: { "via\nSRC += x.c": true } } },
      "config.features.via\nSRC += x.c",
    ],
    [
      "a raw make value (a driver)",
      { config: { rgb_matrix: { driver: "ws2812\nSRC += /etc/passwd" } } },
      "config.rgb_matrix.driver",
    ],
    ["a pin, raw C", { config: { backlight: { pin: "B1; }" } } }, "config.backlight.pin"],
    ["a path", { config: { keymap_path: "../../../../etc" } }, "config.keymap_path"],
    [
      "an encoder keycode that closes the map",
      { encoders: [[{ ccw: "KC_A)}; int x[] = {(1", cw: "KC_B" }]] },
      "encoders.0.0.ccw",
    ],
    ["a custom keycode that is C", { keycodes: [{ key: "X = 1; int y" }] }, "keycodes.0.key"],
    [
      "a custom keycode alias that is C",
      { keycodes: [{ key: "MY_KEY", aliases: ["A B\n#x"] }] },
      "keycodes.0.aliases.0",
    ],
    ["a custom keycode with a lower-case name", { keycodes: [{ key: "my_key" }] }, "keycodes.0.key"],
    [
      "an extra key in an encoder",
      { encoders: [[{ ccw: "KC_A", cw: "KC_B", push: "KC_C" }]] },
      "encoders.0.0",
    ],
  ])("refuses %s at its path", (_, fields, path) => {
    const errors = refused(fields);
    expect(errors.map((e) => e.path)).toContain(path);
  });

  it("bounds encoders and custom keycodes", () => {
    const many = Array.from({ length: 33 }, () => ({ ccw: "KC_A", cw: "KC_B" }));
    expect(refused({ encoders: [many] }).map((e) => e.path)).toEqual(["encoders.0"]);
    const keycodes = Array.from({ length: 33 }, (_, i) => ({ key: `K_${i}` }));
    expect(refused({ keycodes }).map((e) => e.path)).toEqual(["keycodes"]);
  });
});
