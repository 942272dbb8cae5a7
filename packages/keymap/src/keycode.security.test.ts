import { describe, expect, it } from "vitest";
import { prng } from "../test-support/prng.ts";
import { parseKeycode, renderKeycode, renderKeycodeC } from "./keycode.ts";

const SAFE_C = /^[A-Za-z0-9_ (),|]*$/;

function errorOf(text: string): string {
  const result = parseKeycode(text);
  if (result.ok) throw new Error(`${JSON.stringify(text)} was accepted`);
  return result.error.message;
}

describe("parseKeycode keeps C, comments and preprocessor text out", () => {
  it.each([
    ['KC_A); system("x"', "unexpected ')' at 5"],
    ["KC_A/*", "unexpected '/' at 5"],
    ["KC_A//", "unexpected '/' at 5"],
    ["KC_A */ KC_B", "unexpected '*' at 6"],
    ["#include <x>", "unexpected '#' at 1"],
    ["KC_A\nKC_B", "control character U+000A at 5"],
    ["KC_A\r\n#define X", "control character U+000D at 5"],
    ["KC_A\tKC_B", "control character U+0009 at 5"],
    ["KC_A\u0000", "control character U+0000 at 5"],
    ["KC_A\u007f", "control character U+007F at 5"],
    ["KC_A;", "unexpected ';' at 5"],
    ["{", "unexpected '{' at 1"],
    ["}; int x = 1; //", "unexpected '}' at 1"],
    ["KC_A[0]", "unexpected '[' at 5"],
    ['"KC_A"', `unexpected '"' at 1`],
    ["'a'", `unexpected "'" at 1`],
    ["KC_A\\", "unexpected '\\' at 5"],
    ["KC_A\\\nKC_B", "unexpected '\\' at 5"],
    ["MO(1) ? KC_A : KC_B", "unexpected '?' at 7"],
    ["KC_A=1", "unexpected '=' at 5"],
    ["\u041aC_A", "non-ASCII character U+041A at 1"],
    ["KC_\u0410", "non-ASCII character U+0410 at 4"],
    ["\uff2b\uff23_A", "non-ASCII character U+FF2B at 1"],
    ["LT(1\uff0c KC_A)", "non-ASCII character U+FF0C at 5"],
    ["KC_A\u200b", "non-ASCII character U+200B at 5"],
    ["KC_A\u00a0", "non-ASCII character U+00A0 at 5"],
    ["KC_\u{1F4A5}", "non-ASCII character U+1F4A5 at 4"],
    ["LT(1, KC_A))", "unexpected ')' at 12"],
    ["LT(1, KC_A)); void f(", "unexpected ')' at 12"],
  ])("%j is refused: %s", (text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it("refuses 10k-character and deeply nested keycodes without recursing through them", () => {
    expect(errorOf("A".repeat(10_000))).toBe("longer than 128 characters");
    expect(errorOf(`${"A(".repeat(40)}B${")".repeat(40)}`)).toMatch(/^nested deeper than 8 levels at \d+$/);
    expect(errorOf("(".repeat(100_000))).toBe("longer than 128 characters");
  });

  it("renders only identifiers, numbers and ( ) , | for any accepted string", () => {
    const random = prng(0x51ed);
    const fragments = [
      "KC_A",
      "MO",
      "LT",
      "LSFT",
      "MOD_LCTL",
      "_______",
      "ANY",
      "0x7C00",
      "1",
      "12",
      "(",
      "(",
      ")",
      ")",
      ",",
      " | ",
      " ",
      "|",
      ";",
      '"',
      "'",
      "/*",
      "//",
      "*/",
      "#",
      "{",
      "}",
      "[",
      "\\",
      "\n",
      "\t",
      "\0",
      "\u041a",
      "\uff2b",
      "\u00e9",
      "\u200b",
      "\u{1F4A5}",
    ];
    let accepted = 0;
    let refused = 0;
    for (let n = 0; n < 8000; n++) {
      let text = "";
      const parts = 1 + Math.floor(random() * 8);
      for (let p = 0; p < parts; p++) {
        text +=
          random() < 0.8
            ? fragments[Math.floor(random() * fragments.length)]
            : String.fromCharCode(32 + Math.floor(random() * 95));
      }
      const result = parseKeycode(text);
      if (!result.ok) {
        refused++;
        continue;
      }
      accepted++;
      const c = renderKeycodeC(result.keycode);
      const canonical = renderKeycode(result.keycode);
      expect(c, JSON.stringify(text)).toMatch(SAFE_C);
      expect(canonical, JSON.stringify(text)).toMatch(SAFE_C);
      expect(text, "an accepted input holds only grammar characters").toMatch(SAFE_C);
      const again = parseKeycode(canonical);
      expect(again.ok && renderKeycode(again.keycode)).toBe(canonical);
    }
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(4000);
  });
});
