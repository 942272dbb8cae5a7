import { describe, expect, it } from "vitest";
import { type Keycode, parseKeycode, renderKeycode, renderKeycodeC } from "./keycode.ts";

function parsed(text: string): Keycode {
  const result = parseKeycode(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
  return result.keycode;
}

describe("parseKeycode accepts what Configurator and QMK use", () => {
  it.each([
    "KC_A",
    "KC_TRNS",
    "_______",
    "XXXXXXX",
    "QK_BOOT",
    "RGB_TOG",
    "RM_NEXT",
    "KC_F24",
    "SOME_KEYCODE_FROM_NEXT_YEAR",
    "MO(1)",
    "TG(2)",
    "TO(0)",
    "TT(3)",
    "OSL(4)",
    "DF(1)",
    "LT(1, KC_SPC)",
    "LM(2, MOD_LALT)",
    "MT(MOD_LCTL | MOD_LSFT, KC_A)",
    "LCTL_T(KC_A)",
    "C_S_T(KC_B)",
    "LSFT(LCTL(KC_A))",
    "OSM(MOD_LSFT)",
    "OSM(MOD_LCTL | MOD_LSFT | MOD_LALT)",
    "ANY(0x7C00)",
    "ANY(LT(1, KC_A))",
    "0",
    "0xFFFF",
  ])("%s renders back unchanged", (text) => {
    expect(renderKeycode(parsed(text))).toBe(text);
  });

  it("builds a tree of calls, numbers and | operands", () => {
    expect(parsed("MT(MOD_LCTL | MOD_LSFT, KC_A)")).toEqual({
      kind: "call",
      name: "MT",
      args: [
        {
          kind: "or",
          operands: [
            { kind: "identifier", name: "MOD_LCTL" },
            { kind: "identifier", name: "MOD_LSFT" },
          ],
        },
        { kind: "identifier", name: "KC_A" },
      ],
    });
    expect(parsed("MO(12)")).toEqual({
      kind: "call",
      name: "MO",
      args: [{ kind: "number", text: "12", value: 12 }],
    });
  });

  it.each([
    ["LT(1,KC_SPC)", "LT(1, KC_SPC)"],
    ["  LT( 1 ,  KC_SPC )  ", "LT(1, KC_SPC)"],
    ["MT(MOD_LCTL|MOD_LSFT,KC_A)", "MT(MOD_LCTL | MOD_LSFT, KC_A)"],
    ["ANY( 0x7c00 )", "ANY(0x7C00)"],
    ["ANY(0X1f)", "ANY(0x1F)"],
    [" KC_A", "KC_A"],
  ])("normalises %j to %j", (text, canonical) => {
    expect(renderKeycode(parsed(text))).toBe(canonical);
  });

  it("renders ANY(x) in C as its inner expression, as QMK's json2c does", () => {
    expect(renderKeycodeC(parsed("ANY(0x7C00)"))).toBe("0x7C00");
    expect(renderKeycodeC(parsed("ANY(LCTL(KC_A) | 0x100)"))).toBe("LCTL(KC_A) | 0x100");
    expect(renderKeycodeC(parsed("LT(1, KC_SPC)"))).toBe("LT(1, KC_SPC)");
  });

  it("treats a bare ANY without parentheses as an ordinary identifier", () => {
    expect(parsed("ANY")).toEqual({ kind: "identifier", name: "ANY" });
  });

  it("accepts nesting up to 8 levels", () => {
    const text = `${"LSFT(".repeat(8)}KC_A${")".repeat(8)}`;
    expect(renderKeycode(parsed(text))).toBe(text);
  });

  it("accepts a keycode of exactly 128 characters", () => {
    const text = `K${"_".repeat(127)}`;
    expect(parseKeycode(text).ok).toBe(true);
  });
});
