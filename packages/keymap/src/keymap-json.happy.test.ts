import { describe, expect, it } from "vitest";
import { keymapFixtures } from "../test-support/qmk-fixtures.ts";
import { accepted } from "../test-support/requests.ts";
import { generateKeymapJson } from "./keymap-json.ts";
import { parseCompileRequest, parseCompileRequestText } from "./parse-compile-request.ts";

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
    const json = generateKeymapJson(
      accepted(
        parseCompileRequest({
          ...base,
          author: "me",
          notes: "n",
          documentation: "d",
          converter: "rp2040_ce",
        }),
      ),
    );
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
    const parsed = JSON.parse(generateKeymapJson(accepted(parseCompileRequest(base))));
    expect(Object.keys(parsed)).toEqual(["version", "keyboard", "keymap", "layout", "layers"]);
    expect(parsed.version).toBe(1);
  });

  it.each(keymapFixtures().map((f) => [f.name, f] as const))(
    "%s round-trips through parseCompileRequest",
    (_n, f) => {
      const first = accepted(parseCompileRequestText(f.request));
      const json = generateKeymapJson(first);
      const again = accepted(parseCompileRequestText(json));
      expect(again.layers).toEqual(first.layers);
      expect(again.keyboard).toBe(first.keyboard);
      expect(again.documentation).toBe(first.documentation);
      expect(JSON.parse(json).encoders).toEqual(f.json.encoders);
      expect(json).not.toContain("coonfig");
      expect(generateKeymapJson(again)).toBe(json);
    },
  );

  it("escapes free text as JSON", () => {
    const result = accepted(parseCompileRequest({ ...base, notes: 'a "quoted"\nline\u2028' }));
    expect(JSON.parse(generateKeymapJson(result)).notes).toBe('a "quoted"\nline\u2028');
  });

  const macros = [
    ["Hello, World!", { action: "tap", keycodes: ["ENTER"] }],
    [{ action: "down", keycodes: ["LSFT"] }, 'a "b"\r\n\\', { action: "up", keycodes: ["LSFT"] }],
    [{ action: "delay", duration: 100 }, { action: "beep" }],
  ];

  it("writes macros after layout, one line each, with key names in canonical form", () => {
    const request = accepted(
      parseCompileRequest({ ...base, macros: [...macros, [{ action: "tap", keycodes: [" A "] }]] }),
    );
    const json = generateKeymapJson(request);
    expect(json).toContain(
      [
        '    "layout": "LAYOUT_ortho_1x2",',
        '    "macros": [',
        '        ["Hello, World!", {"action": "tap", "keycodes": ["ENTER"]}],',
        '        [{"action": "down", "keycodes": ["LSFT"]}, "a \\"b\\"\\r\\n\\\\", {"action": "up", "keycodes": ["LSFT"]}],',
        '        [{"action": "delay", "duration": 100}, {"action": "beep"}],',
        '        [{"action": "tap", "keycodes": ["A"]}]',
        "    ],",
        '    "layers": [',
      ].join("\n"),
    );
  });

  it("round-trips macros and an empty macro list through parseCompileRequest", () => {
    for (const list of [macros, []]) {
      const first = accepted(parseCompileRequest({ ...base, macros: list }));
      const again = accepted(parseCompileRequestText(generateKeymapJson(first)));
      expect(again.macros).toEqual(list);
      expect(generateKeymapJson(again)).toBe(generateKeymapJson(first));
    }
  });
});
