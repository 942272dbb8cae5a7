import { describe, expect, it } from "vitest";
import { readKeymapC } from "../test-support/keymap-c-reader.ts";
import { keymapFixtures } from "../test-support/qmk-fixtures.ts";
import { accepted, parsedRequest } from "../test-support/requests.ts";
import { generateKeymapC } from "./keymap-c.ts";
import { parseCompileRequestText } from "./parse-compile-request.ts";

const fixtures = keymapFixtures();

// What QMK's json2c writes for a key: the keycode itself, ANY(...) unwrapped, whitespace aside.
const expectedC = (key: string) => key.replace(/\s+/g, "").replace(/^ANY\((.*)\)$/, "$1");

// The body of process_record_user's one case for a request with these macros.
function sendString(macros: unknown[][], n = 0): string {
  const c = generateKeymapC(parsedRequest({ macros }));
  const line = c.split("\n").find((_line, i, all) => all[i - 1] === `            case QK_MACRO_${n}:`);
  if (!line) throw new Error(`no case QK_MACRO_${n} in\n${c}`);
  return line.replace(/^ {16}SEND_STRING\((.*)\);$/, "$1");
}

describe("generateKeymapC on real Configurator keymaps", () => {
  it.each(fixtures.map((f) => [f.name, f] as const))(
    "%s: every layer holds the input keycodes in order",
    (_n, f) => {
      const c = generateKeymapC(accepted(parseCompileRequestText(f.request)));
      const input = f.json.layers as string[][];
      const layers = readKeymapC(c);
      expect(layers.map((l) => l.index)).toEqual(input.map((_, i) => i));
      expect(layers.every((l) => l.layout === f.json.layout)).toBe(true);
      expect(layers.map((l) => l.keys)).toEqual(input.map((layer) => layer.map(expectedC)));
    },
  );

  it("writes the encoders as QMK's encoder map, behind the features it needs", () => {
    const fixture = fixtures.find((f) => f.name.startsWith("1upkeyboards__sweet16v2__"))!;
    expect(fixture.json.encoders).toBeDefined();
    const c = generateKeymapC(accepted(parseCompileRequestText(fixture.request)));
    expect(c).toContain(
      [
        "#if defined(ENCODER_ENABLE) && defined(ENCODER_MAP_ENABLE)",
        "const uint16_t PROGMEM encoder_map[][NUM_ENCODERS][NUM_DIRECTIONS] = {",
        "    [0] = {ENCODER_CCW_CW(KC_VOLD, KC_VOLU), ENCODER_CCW_CW(RM_VALD, RM_VALU)},",
        "    [1] = {ENCODER_CCW_CW(_______, _______), ENCODER_CCW_CW(_______, _______)}",
        "};",
        "#endif // defined(ENCODER_ENABLE) && defined(ENCODER_MAP_ENABLE)",
      ].join("\n"),
    );
  });

  it("renders encoder keycodes in canonical form, ANY() unwrapped", () => {
    const c = generateKeymapC(parsedRequest({ encoders: [[{ ccw: "LT(1,KC_A)", cw: "ANY(KC_B)" }]] }));
    expect(c).toContain("    [0] = {ENCODER_CCW_CW(LT(1, KC_A), KC_B)}\n};");
  });

  it("preserves the layer count, one entry per layer", () => {
    const layers = Array.from({ length: 32 }, (_, i) => [`MO(${i})`]);
    const parsed = readKeymapC(generateKeymapC(parsedRequest({ layout: "LAYOUT", layers })));
    expect(parsed).toHaveLength(32);
    expect(parsed.map((l) => l.keys)).toEqual(layers);
  });

  it("writes no process_record_user without macros", () => {
    expect(generateKeymapC(parsedRequest({}))).not.toContain("process_record_user");
  });
});

// Expectations follow QMK's _generate_macros_function (lib/python/qmk/keymap.py) step by step.
describe("generateKeymapC renders macros as QMK's json2c does", () => {
  it("types text and taps one key", () => {
    expect(sendString([["Hello, World!", { action: "tap", keycodes: ["ENTER"] }]])).toBe(
      '"Hello, World!"SS_TAP(X_ENTER)',
    );
  });

  it("holds all but the last key of a tap and releases them in reverse", () => {
    expect(sendString([[{ action: "tap", keycodes: ["LCTL", "LALT", "DEL"] }]])).toBe(
      "SS_DOWN(X_LCTL)SS_DOWN(X_LALT)SS_TAP(X_DEL)SS_UP(X_LALT)SS_UP(X_LCTL)",
    );
  });

  it("presses and releases keys with down and up, one call per key", () => {
    expect(
      sendString([
        [
          { action: "down", keycodes: ["LSFT", "LGUI"] },
          "hello world1",
          { action: "up", keycodes: ["LSFT"] },
        ],
      ]),
    ).toBe('SS_DOWN(X_LSFT)SS_DOWN(X_LGUI)"hello world1"SS_UP(X_LSFT)');
  });

  it("waits with SS_DELAY and beeps with \\a, fused into the text around it", () => {
    expect(
      sendString([
        [
          { action: "tap", keycodes: ["F1"] },
          { action: "delay", duration: 1000 },
          { action: "tap", keycodes: ["PGDN"] },
        ],
      ]),
    ).toBe("SS_TAP(X_F1)SS_DELAY(1000)SS_TAP(X_PGDN)");
    expect(sendString([["ding!", { action: "beep" }]])).toBe('"ding!\\a"');
    expect(sendString([[{ action: "beep" }, { action: "delay", duration: 0 }, { action: "beep" }]])).toBe(
      '"\\a"SS_DELAY(0)"\\a"',
    );
  });

  it("fuses adjacent text into one literal and drops empty text, as QMK's '\"\"' removal does", () => {
    expect(sendString([["ab", "cd", "", { action: "tap", keycodes: ["A"] }, "", "ef"]])).toBe(
      '"abcd"SS_TAP(X_A)"ef"',
    );
  });

  it("escapes backslash, quote, tab and every line break the way QMK does", () => {
    expect(sendString([['a\\b "q"\tc\r\nd\ne\rf']])).toBe('"a\\\\b \\"q\\"\\tc\\nd\\ne\\nf"');
  });

  it("numbers cases QK_MACRO_0 onwards, in order", () => {
    const macros = Array.from({ length: 32 }, (_, i) => [`m${i}`]);
    const c = generateKeymapC(parsedRequest({ macros }));
    const cases = c.split("\n").filter((l) => l.includes("case QK_MACRO_"));
    expect(cases).toEqual(macros.map((_, i) => `            case QK_MACRO_${i}:`));
    expect(sendString(macros, 31)).toBe('"m31"');
  });

  it("writes the switch even for an empty macro list, as QMK does", () => {
    const c = generateKeymapC(parsedRequest({ macros: [] }));
    expect(c).toContain(
      [
        "bool process_record_user(uint16_t keycode, keyrecord_t *record) {",
        "    if (record->event.pressed) {",
        "        switch (keycode) {",
        "        }",
        "    }",
        "",
        "    return true;",
        "};",
      ].join("\n"),
    );
  });

  it("leaves question marks alone unless they would form a trigraph", () => {
    expect(sendString([["why?? really?"]])).toBe('"why?? really?"');
  });
});
