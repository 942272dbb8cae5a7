import { describe, expect, it } from "vitest";
import { parseKeycode } from "./keycode.ts";

function errorOf(text: string): string {
  const result = parseKeycode(text);
  if (result.ok) throw new Error(`${JSON.stringify(text)} was accepted`);
  return result.error.message;
}

describe("parseKeycode refuses malformed keycodes with a located reason", () => {
  it.each([
    ["", "empty keycode"],
    ["   ", "empty keycode"],
    ["MO()", "unexpected ')' at 4"],
    ["LT(1,)", "unexpected ')' at 6"],
    ["LT(,1)", "unexpected ',' at 4"],
    ["LT(1, KC_A", "missing ')' at 11"],
    ["LT(1, KC_A))", "unexpected ')' at 12"],
    ["(KC_A)", "unexpected '(' at 1"],
    ["KC_A KC_B", "unexpected 'KC_B' at 6"],
    ["KC_A,", "unexpected ',' at 5"],
    ["KC_A, KC_B", "unexpected ',' at 5"],
    ["MOD_LCTL |", "unexpected end of keycode at 11"],
    ["MOD_LCTL || MOD_LSFT", "unexpected '|' at 11"],
    ["| KC_A", "unexpected '|' at 1"],
    ["MO(1)(2)", "unexpected '(' at 6"],
    ["1KC_A", "invalid number '1KC_A' at 1"],
    ["0x", "invalid number '0x' at 1"],
    ["0xG1", "invalid number '0xG1' at 1"],
    ["MO(010)", "leading zeros are not allowed at 4"],
    ["ANY(0x10000)", "number '0x10000' is larger than 0xFFFF at 5"],
    ["MO(99999)", "number '99999' is larger than 0xFFFF at 4"],
    ["KC_A + 1", "unexpected '+' at 6"],
    ["KC_A & KC_B", "unexpected '&' at 6"],
    ["~KC_A", "unexpected '~' at 1"],
    ["-1", "unexpected '-' at 1"],
    ["KC_A.b", "unexpected '.' at 5"],
    ["MO(1", "missing ')' at 5"],
  ])("%j -> %s", (text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it("allows ANY(...) only around a whole keycode, with one argument", () => {
    expect(errorOf("LT(1, ANY(KC_A))")).toBe("ANY(...) may only wrap a whole keycode at 7");
    expect(errorOf("ANY(ANY(KC_A))")).toBe("ANY(...) may only wrap a whole keycode at 5");
    expect(errorOf("ANY(KC_A) | KC_B")).toBe("unexpected '|' at 11");
    expect(errorOf("ANY(KC_A, KC_B)")).toBe("ANY(...) takes exactly one argument at 1");
    expect(errorOf("ANY()")).toBe("unexpected ')' at 5");
  });

  it("refuses nesting deeper than 8 levels", () => {
    expect(errorOf(`${"LSFT(".repeat(9)}KC_A${")".repeat(9)}`)).toBe("nested deeper than 8 levels at 45");
    expect(errorOf(`ANY(${"LSFT(".repeat(8)}KC_A${")".repeat(8)})`)).toMatch(/^nested deeper than 8 levels/);
  });

  it("refuses keycodes longer than 128 characters before reading them", () => {
    expect(errorOf(`K${"_".repeat(128)}`)).toBe("longer than 128 characters");
    expect(errorOf("KC_A;".repeat(10_000))).toBe("longer than 128 characters");
  });
});
