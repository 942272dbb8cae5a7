import { describe, expect, it } from "vitest";
import { generateKeymapJson } from "./keymap-json.ts";
import { parseCompileRequest, parseCompileRequestText } from "./parse-compile-request.ts";
import { keymapFixtures } from "./testing/qmk-fixtures.ts";

const base = {
  keyboard: "planck/rev6",
  keymap: "default",
  layout: "LAYOUT_ortho_1x2",
  layers: [
    ["KC_A", "LT(1,KC_SPC)"],
    ["ANY(0x7c00)", "_______"],
  ],
};

describe("generateKeymapJson", () => {
  it("writes QMK's field order, 4-space indent, one line per layer and a trailing newline", () => {
    const json = generateKeymapJson({
      ...base,
      author: "me",
      notes: "n",
      documentation: "d",
      converter: "rp2040_ce",
    });
    expect(json).toBe(
      [
        "{",
        '    "version": 1,',
        '    "author": "me",',
        '    "notes": "n",',
        '    "converter": "rp2040_ce",',
        '    "keyboard": "planck/rev6",',
        '    "keymap": "default",',
        '    "layout": "LAYOUT_ortho_1x2",',
        '    "layers": [',
        "        [",
        '            "KC_A", "LT(1, KC_SPC)"',
        "        ],",
        "        [",
        '            "ANY(0x7C00)", "_______"',
        "        ]",
        "    ],",
        '    "documentation": "d"',
        "}",
        "",
      ].join("\n"),
    );
  });

  it("always says version 1 and leaves out absent optional fields", () => {
    const parsed = JSON.parse(generateKeymapJson({ ...base }));
    expect(Object.keys(parsed)).toEqual(["version", "keyboard", "keymap", "layout", "layers"]);
    expect(parsed.version).toBe(1);
  });

  it.each(keymapFixtures().map((f) => [f.name, f] as const))(
    "%s round-trips through parseCompileRequest",
    (_n, f) => {
      const first = parseCompileRequestText(f.text);
      if (!first.ok) throw new Error(JSON.stringify(first.errors));
      const json = generateKeymapJson(first.value);
      const again = parseCompileRequestText(json);
      if (!again.ok) throw new Error(JSON.stringify(again.errors));
      expect(again.value.layers).toEqual(first.value.layers);
      expect(again.value.keyboard).toBe(first.value.keyboard);
      expect(again.value.documentation).toBe(first.value.documentation);
      expect(json).not.toContain("encoders");
      expect(json).not.toContain("coonfig");
      expect(generateKeymapJson(again.value)).toBe(json);
    },
  );

  it("escapes free text as JSON", () => {
    const result = parseCompileRequest({ ...base, notes: 'a "quoted"\nline\u2028' });
    if (!result.ok) throw new Error("refused");
    expect(JSON.parse(generateKeymapJson(result.value)).notes).toBe('a "quoted"\nline\u2028');
  });
});
