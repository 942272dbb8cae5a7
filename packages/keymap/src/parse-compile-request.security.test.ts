import { LIMITS } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { minimalRequest, refusal } from "../test-support/requests.ts";
import {
  type CompileRequestParse,
  parseCompileRequest,
  parseCompileRequestText,
} from "./parse-compile-request.ts";

const minimal = minimalRequest;

const errors = (result: CompileRequestParse) => refusal(result).errors;

describe("hostile keycodes are refused with their path", () => {
  it.each([
    ['KC_A); system("x"', `invalid keycode "KC_A); system(\\"x\\"": unexpected ')' at 5`],
    ["KC_A/*", `invalid keycode "KC_A/*": unexpected '/' at 5`],
    ["KC_A//", `invalid keycode "KC_A//": unexpected '/' at 5`],
    ["#include <x>", `invalid keycode "#include <x>": unexpected '#' at 1`],
    ["KC_A\nKC_B", `invalid keycode "KC_A\\nKC_B": control character U+000A at 5`],
    ["KC_A;", `invalid keycode "KC_A;": unexpected ';' at 5`],
    ["{", `invalid keycode "{": unexpected '{' at 1`],
    ['"KC_A"', `invalid keycode "\\"KC_A\\"": unexpected '"' at 1`],
    ["\u041aC_A", `invalid keycode "\\u041AC_A": non-ASCII character U+041A at 1`],
    ["\uff2bC_A", `invalid keycode "\\uFF2BC_A": non-ASCII character U+FF2B at 1`],
    ["KC_A\u001b[2J", `invalid keycode "KC_A\\u001B[2J": control character U+001B at 5`],
    ["LT(1, KC_A))", `invalid keycode "LT(1, KC_A))": unexpected ')' at 12`],
    [`${"LSFT(".repeat(9)}KC_A${")".repeat(9)}`, /nested deeper than 8 levels at 45$/],
  ])("%j", (key, message) => {
    const result = errors(
      parseCompileRequest({
        ...minimal,
        layers: [
          ["KC_A", "KC_B"],
          ["KC_C", key],
        ],
      }),
    );
    expect(result).toHaveLength(1);
    expect(result[0]!.path).toBe("layers.1.1");
    if (typeof message === "string") expect(result[0]!.message).toBe(message);
    else expect(result[0]!.message).toMatch(message);
  });

  it("refuses a 10k-character keycode at its path without echoing it whole", () => {
    const result = errors(parseCompileRequest({ ...minimal, layers: [["KC_A", "K".repeat(10_000)]] }));
    expect(result.map((e) => e.path)).toEqual(["layers.0.1"]);
    expect(result[0]!.message.length).toBeLessThan(200);
  });

  it("quotes long keycodes shortened, so an error body stays small", () => {
    const key = `KC_A;${"x".repeat(100)}`;
    const [error] = errors(parseCompileRequest({ ...minimal, layers: [["KC_A", key]] }));
    expect(error!.message).toBe(
      `invalid keycode "KC_A;${"x".repeat(43)}"... (105 characters): unexpected ';' at 5`,
    );
  });
});

describe("names that reach file paths and make targets", () => {
  it.each([
    "../../etc",
    "/abs",
    "a/../b",
    "a\\b",
    "foo%2f..",
    "planck/",
    "planck//rev6",
    "Planck",
    "planck rev6",
    "planck:flash",
    "planck\nrev6",
    "x".repeat(LIMITS.keyboardChars + 1),
  ])("keyboard %j is refused at 'keyboard'", (keyboard) => {
    expect(errors(parseCompileRequest({ ...minimal, keyboard })).map((e) => e.path)).toEqual(["keyboard"]);
  });

  it.each([
    "../../etc",
    "/abs",
    "a/b",
    "a\\b",
    "foo%2f..",
    "..",
    ".",
    "",
    "km:flash",
    "x".repeat(65),
    "k\u00e9",
  ])("keymap %j is refused at 'keymap'", (keymap) => {
    expect(errors(parseCompileRequest({ ...minimal, keymap })).map((e) => e.path)).toEqual(["keymap"]);
  });

  it.each([
    "LAYOUT(",
    "LAYOUT_60; int x",
    "LAYOUT_60 /*",
    "#define LAYOUT",
    "layout_60",
    "LAYOUT_",
    "LAYOUT_60\n",
    "KEYMAP",
    "LAYOUT-60",
    "LAYOUT_\u0410",
  ])("layout %j is refused at 'layout'", (layout) => {
    expect(errors(parseCompileRequest({ ...minimal, layout })).map((e) => e.path)).toEqual(["layout"]);
  });
});

describe("bodies built to hurt the parser", () => {
  it("refuses a body over 256 KiB as too_large", () => {
    const layers = Array.from({ length: 32 }, () =>
      Array.from({ length: 512 }, () => "KC_TRNS_PADDED_TO_MAKE_IT_BIG"),
    );
    const body = JSON.stringify({ ...minimal, layers });
    expect(body.length).toBeGreaterThan(LIMITS.bodyBytes);
    const result = parseCompileRequestText(body);
    expect(result.ok === false && result.kind).toBe("too_large");
  });

  it.each([
    [
      "layers",
      `{"keyboard":"a","keymap":"b","layout":"LAYOUT","layers":${"[".repeat(50_000)}${"]".repeat(50_000)}}`,
    ],
    // Unknown fields are kept, so depth there would overflow the stack later (JSON.stringify, structuredClone).
    [
      "an unknown field",
      `{"keyboard":"a","keymap":"b","layout":"LAYOUT","layers":[["KC_A"]],"x":${"[".repeat(5_000)}${"]".repeat(5_000)}}`,
    ],
  ])("refuses JSON nested too deep in %s as malformed, not a crash", (_where, text) => {
    const result = parseCompileRequestText(text);
    expect(result.ok === false && result.kind).toBe("malformed_json");
    expect(result.ok === false && result.errors[0]?.message).toMatch(/nested deeper than 64 levels/);
  });

  it("accepts nesting up to the limit", () => {
    const nested = `${"[".repeat(60)}${"]".repeat(60)}`;
    const result = parseCompileRequestText(
      `{"keyboard":"a","keymap":"b","layout":"LAYOUT","layers":[["KC_A"]],"x":${nested}}`,
    );
    // Decoded (no depth error); refused only because no keymap has a field "x".
    expect(result.ok ? [] : [result.kind, ...result.errors.map((e) => e.path)]).toEqual(["invalid", "x"]);
  });

  it("keeps a __proto__ field as data, changing no prototype", () => {
    const result = parseCompileRequestText(
      `{"__proto__": {"polluted": 1}, ${JSON.stringify(minimal).slice(1)}`,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect((result.value as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("scans only the bounded part of an oversized layers array for keycode errors", () => {
    const layers = Array.from({ length: 10_000 }, () => ["KC_A;"]);
    const result = errors(parseCompileRequest({ ...minimal, layers }));
    expect(result[0]).toEqual({ path: "layers", message: `at most ${LIMITS.layers} layers` });
    expect(result.length).toBeLessThanOrEqual(50);
  });
});

describe("macro text that SEND_STRING cannot type safely is refused at its path", () => {
  const textError = (text: string) => {
    const result = errors(parseCompileRequest({ ...minimal, macros: [["ok", text]] }));
    expect(result.map((e) => e.path)).toEqual(["macros.0.1"]);
    return result[0]!.message;
  };
  const tail = "; SEND_STRING types printable ASCII, tab and line breaks only";

  it.each([
    ["a\u0000b", `macro text "a\\u0000b" has a control character U+0000 at 2${tail}`],
    ["\u0001\u0001\u0004", `macro text "\\u0001\\u0001\\u0004" has a control character U+0001 at 1${tail}`],
    ["x\u001b[2J", `macro text "x\\u001B[2J" has a control character U+001B at 2${tail}`],
    ["del\u007f", `macro text "del\\u007F" has a control character U+007F at 4${tail}`],
    ["\u0007", `macro text "\\u0007" has a control character U+0007 at 1${tail}`],
    ["\u000b\u000c", `macro text "\\u000B\\u000C" has a control character U+000B at 1${tail}`],
    ["caf\u00e9", `macro text "caf\\u00E9" has a non-ASCII character U+00E9 at 4${tail}`],
    ["\u202eevil", `macro text "\\u202Eevil" has a non-ASCII character U+202E at 1${tail}`],
    ["zero\u200bwidth", `macro text "zero\\u200Bwidth" has a non-ASCII character U+200B at 5${tail}`],
    ["\ufeffbom", `macro text "\\uFEFFbom" has a non-ASCII character U+FEFF at 1${tail}`],
    ["\u{1F4A5}", `macro text "\\u{1F4A5}" has a non-ASCII character U+1F4A5 at 1${tail}`],
    ["\ud800", `macro text "\\uD800" has a non-ASCII character U+D800 at 1${tail}`],
  ])("%j", (text, message) => {
    expect(textError(text)).toBe(message);
  });

  it("quotes a long refused text shortened", () => {
    const message = textError(`${"x".repeat(4000)}\u0000`);
    expect(message.length).toBeLessThan(200);
    expect(message).toContain("(4001 characters)");
  });

  it.each([
    'say "hi"\\',
    "*/ int main() { /*",
    "??/\n??=define X",
    "%s%n%x%%",
    "#include <stdio.h>\r\n",
    'SS_TAP(X_A)")',
    "\t",
  ])("accepts typeable text %j (rendering escapes it)", (text) => {
    expect(parseCompileRequest({ ...minimal, macros: [[text]] }).ok).toBe(true);
  });

  it.each([
    ['A); system("x"', "unexpected ')' at 2"],
    ["A/*", "unexpected '/' at 2"],
    ["A\nB", "control character U+000A at 2"],
    ["\u0410", "non-ASCII character U+0410 at 1"],
    ["X_A\\", "unexpected '\\' at 4"],
  ])("refuses macro key %j by the keycode grammar", (key, reason) => {
    const result = errors(
      parseCompileRequest({ ...minimal, macros: [[{ action: "tap", keycodes: ["A", key] }]] }),
    );
    expect(result).toHaveLength(1);
    expect(result[0]!.path).toBe("macros.0.0.keycodes.1");
    expect(result[0]!.message.startsWith("invalid macro key ")).toBe(true);
    expect(result[0]!.message.endsWith(`": ${reason}`)).toBe(true);
  });

  it("scans only the bounded part of an oversized macros list", () => {
    const macros = Array.from({ length: 10_000 }, () => Array.from({ length: 300 }, () => "\u0000"));
    const result = errors(parseCompileRequest({ ...minimal, macros }));
    expect(result[0]).toEqual({ path: "macros", message: "at most 32 macros (QK_MACRO_0 to QK_MACRO_31)" });
    expect(result.length).toBeLessThanOrEqual(50);
  });
});
