import { describe, expect, it } from "vitest";
import { parseHjson } from "./hjson.ts";

describe("parseHjson reads QMK's keycode hjson", () => {
  it("reads plain JSON", () => {
    expect(parseHjson('{"a": [1, -2.5e3, "x\\n", true, false, null], "b": {}}')).toEqual({
      a: [1, -2500, "x\n", true, false, null],
      b: {},
    });
  });

  it("reads array elements on their own lines without commas, as keycodes_0.0.1_midi.hjson has them", () => {
    expect(parseHjson('{\n  "aliases": [\n    "MI_Gs"\n    "MI_Ab"\n  ]\n}')).toEqual({
      aliases: ["MI_Gs", "MI_Ab"],
    });
  });

  it("skips #, // and /* */ comments and a trailing comma", () => {
    const text = `# header\n{\n  // line\n  "a": 1, /* block\n */ "b": [2,],\n}\n`;
    expect(parseHjson(text)).toEqual({ a: 1, b: [2] });
  });

  it("reads unquoted keys and unquoted values to the end of the line", () => {
    expect(parseHjson("{\n  key: some text, with a comma\n  n: 12\n  t: true\n}")).toEqual({
      key: "some text, with a comma",
      n: 12,
      t: true,
    });
  });

  it("reads single-quoted strings and an empty file", () => {
    expect(parseHjson(`{'a': 'it\\'s "x"'}`)).toEqual({ a: `it's "x"` });
    expect(parseHjson("")).toEqual({});
    expect(parseHjson("  // nothing\n")).toEqual({});
  });

  it("reads \\' in a double-quoted string, as hjson-py does (QMK's acheron/themis/87h keyboard.json)", () => {
    expect(parseHjson(`{"label": "\\'\\""}`)).toEqual({ label: `'"` });
    expect(parseHjson(`{"a": "x\\\\'"}`)).toEqual({ a: "x\\'" });
    expect(parseHjson(`{'a': 'x\\\\'}`)).toEqual({ a: "x\\" });
  });

  it("keeps a __proto__ key as data", () => {
    const value = parseHjson('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(["__proto__"]);
  });
});
