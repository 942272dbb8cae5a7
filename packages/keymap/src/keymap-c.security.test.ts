import type { CompileRequest } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { generateKeymapC } from "./keymap-c.ts";
import { InvalidKeymapError } from "./keymap-layers.ts";

// Callers should validate with parseCompileRequest first; these prove the generator does not rely on it.
function thrown(request: Pick<CompileRequest, "layout" | "layers">): InvalidKeymapError {
  try {
    generateKeymapC(request);
  } catch (err) {
    if (err instanceof InvalidKeymapError) return err;
    throw err;
  }
  throw new Error("generated C for a hostile request");
}

describe("generateKeymapC never writes text it did not parse", () => {
  it.each([
    'KC_A); system("x"',
    "KC_A/*",
    "#include <x>",
    "KC_A\nKC_B",
    "KC_A;",
    "{",
    '"KC_A"',
    "\u041aC_A",
    "KC_A, KC_B",
  ])("refuses keycode %j", (key) => {
    expect(thrown({ layout: "LAYOUT", layers: [["KC_A", key]] }).errors.map((e) => e.path)).toEqual([
      "layers.0.1",
    ]);
  });

  it.each(["LAYOUT(KC_A); int x; //", "LAYOUT\n#define X", "", "layout"])("refuses layout %j", (layout) => {
    expect(thrown({ layout, layers: [["KC_A"]] }).errors.map((e) => e.path)).toEqual(["layout"]);
  });

  it("refuses keys that are not strings", () => {
    const layers = [[1, null, { toString: () => "KC_A" }]] as unknown as string[][];
    expect(thrown({ layout: "LAYOUT", layers }).errors.map((e) => e.path)).toEqual([
      "layers.0.0",
      "layers.0.1",
      "layers.0.2",
    ]);
  });

  it("writes only canonical keycode text between the LAYOUT parentheses", () => {
    const c = generateKeymapC({
      layout: "LAYOUT",
      layers: [["  LT( 1 ,KC_A )", "MT(MOD_LCTL|MOD_LSFT,KC_B)"]],
    });
    expect(c).toContain("    [0] = LAYOUT(LT(1, KC_A), MT(MOD_LCTL | MOD_LSFT, KC_B))\n");
  });
});
