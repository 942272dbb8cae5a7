import { describe, expect, it } from "vitest";
import { readKeymapC } from "../test-support/keymap-c-reader.ts";
import { prng } from "../test-support/prng.ts";
import { parsedRequest } from "../test-support/requests.ts";
import { readSendString, sendStringArguments } from "../test-support/send-string-reader.ts";
import { generateKeymapC } from "./keymap-c.ts";
import { InvalidKeymapError } from "./keymap-errors.ts";
import type { ParsedCompileRequest } from "./parsed-request.ts";

function refused(request: unknown): InvalidKeymapError {
  try {
    generateKeymapC(request as ParsedCompileRequest);
  } catch (err) {
    if (err instanceof InvalidKeymapError) return err;
    throw err;
  }
  throw new Error("generated C for a request parseCompileRequest did not produce");
}

// What SEND_STRING types for a text step: QMK turns every line break (CR LF, LF, CR) into \n.
const typedText = (text: string) => text.replace(/\r\n?/g, "\n");

describe("generateKeymapC writes only what parseCompileRequest produced", () => {
  const parsed = parsedRequest({ layers: [["KC_A", "LT(1, KC_B)"]] });

  it.each([
    ["a plain object cast to the type", { ...parsed, layers: [['KC_A); system("x"']] }],
    ["a spread copy", { ...parsed }],
    ["a JSON copy", JSON.parse(JSON.stringify(parsed))],
    ["a structured clone", structuredClone(parsed)],
    ["a hand-written request", { layout: "LAYOUT(KC_A); int x; //", layers: [["KC_A"]] }],
  ])("refuses %s", (_what, request) => {
    expect(refused(request).errors[0]!.message).toMatch(/not produced by parseCompileRequest/);
  });

  it("keeps a parsed request from being changed after the fact", () => {
    const layers = parsed.layers as string[][];
    expect(() => {
      layers[0]![0] = "KC_A); evil(";
    }).toThrow(TypeError);
    expect(() => {
      (parsed as { layout: string }).layout = "LAYOUT\n#define X";
    }).toThrow(TypeError);
    expect(readKeymapC(generateKeymapC(parsed))[0]!.keys).toEqual(["KC_A", "LT(1,KC_B)"]);
  });

  it("writes only canonical keycode text between the LAYOUT parentheses", () => {
    const c = generateKeymapC(
      parsedRequest({ layout: "LAYOUT", layers: [["  LT( 1 ,KC_A )", "MT(MOD_LCTL|MOD_LSFT,KC_B)"]] }),
    );
    expect(c).toContain("    [0] = LAYOUT(LT(1, KC_A), MT(MOD_LCTL | MOD_LSFT, KC_B))\n");
  });
});

describe("macro text reaches C only as a well-formed string literal", () => {
  it.each([
    ["quotes", 'say "hi"', '"say \\"hi\\""'],
    ["backslashes", "C:\\dir\\", '"C:\\\\dir\\\\"'],
    ["a comment opener", "a /* b", '"a /* b"'],
    ["a comment closer", "*/ int x; /*", '"*/ int x; /*"'],
    ["a line comment", "// x", '"// x"'],
    ["the ??/ trigraph (a backslash)", "??/", '"?\\?/"'],
    ["the ??= trigraph (#)", "??=define", '"?\\?=define"'],
    [
      "every trigraph",
      "??= ??( ??/ ??) ??' ??< ??! ??> ??-",
      '"?\\?= ?\\?( ?\\?/ ?\\?) ?\\?\' ?\\?< ?\\?! ?\\?> ?\\?-"',
    ],
    ["three question marks", "???=", '"??\\?="'],
    ["printf formats", "%s %n %x %%", '"%s %n %x %%"'],
    ["a preprocessor line", "#include <x>", '"#include <x>"'],
    ["a line splice", "a\\\nb", '"a\\\\\\nb"'],
    ["CR LF", "a\r\n#define X", '"a\\n#define X"'],
  ])("%s", (_what, text, literal) => {
    const [argument] = sendStringArguments(generateKeymapC(parsedRequest({ macros: [[text]] })));
    expect(argument).toBe(literal);
    expect(readSendString(argument!)).toBe(typedText(text));
  });

  it("keeps text ending in a quote inside its literal where QMK's output would end it early", () => {
    // QMK writes `"a\""SS_TAP(X_B)");system(1);//"` and then deletes `""`, leaving `"a\SS_TAP(X_B)"` followed
    // by `);system(1);//"` as C code.
    const macros = [['a"', { action: "tap", keycodes: ["B"] }, ");system(1);//"]];
    const [argument] = sendStringArguments(generateKeymapC(parsedRequest({ macros })));
    expect(argument).toBe('"a\\""SS_TAP(X_B)");system(1);//"');
    expect(readSendString(argument!)).toBe('a"{SS_TAP(X_B)});system(1);//');
  });

  it("breaks a trigraph formed across two text steps", () => {
    const [argument] = sendStringArguments(generateKeymapC(parsedRequest({ macros: [["a?", "?=b"]] })));
    expect(argument).toBe('"a?\\?=b"');
  });

  it("types a 4095-character text in one literal", () => {
    const text = `${'"\\?'.repeat(1365)}`;
    const [argument] = sendStringArguments(generateKeymapC(parsedRequest({ macros: [[text]] })));
    expect(readSendString(argument!)).toBe(text);
  });

  it("renders any typeable text so that it reads back as exactly that text", () => {
    const random = prng(0x5e1d);
    const fragments = [
      '"',
      "\\",
      "?",
      "??",
      "??/",
      "??=",
      "*/",
      "/*",
      "//",
      "\n",
      "\r",
      "\r\n",
      "\t",
      "%s",
      "'",
      "#",
    ];
    for (let n = 0; n < 2000; n++) {
      const steps: unknown[] = [];
      let typed = "";
      for (let s = 1 + Math.floor(random() * 4); s > 0; s--) {
        if (random() < 0.25) {
          steps.push({ action: "tap", keycodes: ["A"] });
          typed += "{SS_TAP(X_A)}";
          continue;
        }
        let text = "";
        for (let p = Math.floor(random() * 6); p > 0; p--) {
          text +=
            random() < 0.7
              ? fragments[Math.floor(random() * fragments.length)]
              : String.fromCharCode(32 + Math.floor(random() * 95));
        }
        steps.push(text);
        typed += typedText(text);
      }
      if (typed === "") continue;
      const [argument] = sendStringArguments(generateKeymapC(parsedRequest({ macros: [steps] })));
      expect(readSendString(argument!), JSON.stringify(steps)).toBe(typed);
    }
  });
});
