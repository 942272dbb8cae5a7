import { describe, expect, it } from "vitest";
import { demoKeycodeHeaders } from "../test-support/demo-tree.ts";
import { keycodeNamesFromQmkSources } from "./qmk-keycode-names.ts";

describe("keycodeNamesFromQmkSources on the demo tree's headers", () => {
  const names = keycodeNamesFromQmkSources({ headers: demoKeycodeHeaders() });

  it("collects enum members, object-like and function-like #defines", () => {
    for (const name of [
      "KC_A",
      "KC_TRNS",
      "_______",
      "XXXXXXX",
      "QK_BOOT",
      "MOD_LCTL",
      "QK_MACRO_0",
      "QK_MACRO_31",
    ]) {
      expect(names, name).toContain(name);
    }
    for (const name of ["MO", "LT", "LSFT_T", "C_S_T", "OSM", "MOD_HYPR", "IS_QK_MODS"])
      expect(names, name).toContain(name);
    expect(names.size).toBeGreaterThan(1000);
  });

  it("ignores names that only appear in comments", () => {
    expect(demoKeycodeHeaders()[0]).toContain("'KC_FOO' undeclared");
    expect(names).not.toContain("KC_FOO");
    expect(names).not.toContain("gcc");
  });
});

describe("keycodeNamesFromQmkSources reads C the way the preprocessor does", () => {
  const names = (header: string) => [...keycodeNamesFromQmkSources({ headers: [header] })].sort();

  it.each([
    ["a #define", "#define KC_X 1", ["KC_X"]],
    ["a spaced directive", "  #  define   KC_X(a, b) ((a) | (b))", ["KC_X"]],
    ["a line comment", "// #define KC_X 1\n#define KC_Y 2 // #define KC_Z", ["KC_Y"]],
    ["a block comment", "/* #define KC_X 1\n enum { KC_Z }; */ #define KC_Y 2", ["KC_Y"]],
    ["text before #", "int x; #define KC_X 1", []],
    ["a block comment before a define", "/* x */\n#define KC_Y 2", ["KC_Y"]],
    ["a string", 'const char *s = "\\n#define KC_X 1"; enum { KC_Y };', ["KC_Y"]],
    ["a line splice", "#define KC_X \\\n  1\n#define \\\nKC_Y 2", ["KC_X", "KC_Y"]],
    [
      "an enum",
      "enum qk_keycodes { KC_A = 0x04, KC_B, KC_C = (KC_A | (1 << 8)), };",
      ["KC_A", "KC_B", "KC_C"],
    ],
    ["a typed enum", "typedef enum foo : uint16_t { A = F(1, 2), B } foo_t;", ["A", "B"]],
    ["#if inside an enum", "enum {\n A,\n#ifdef X\n B,\n#endif\n C };", ["A", "B", "C"]],
    ["an enum declared, not defined", "enum foo;\n#define X", ["X"]],
    ["#undef", "#define X 1\n#undef X", ["X"]],
    ["a char literal", "#define Q '\"'\n#define R 2", ["Q", "R"]],
  ])("%s", (_what, header, expected) => {
    expect(names(header)).toEqual(expected);
  });
});

describe("keycodeNamesFromQmkSources reads QMK's keycode hjson", () => {
  // Written as QMK writes them: comments, a trailing comma, array elements one per line without commas.
  const v1 = `{
    // version 0.0.1
    "keycodes": {
        "0x7820": {"group": "rgb", "key": "RGB_TOG"},
        "0x7821": {"group": "rgb", "key": "RGB_MODE_FORWARD", "aliases": ["RGB_MOD"]},
        "0x00CD": {
            "key": "KC_MS_UP",
            "aliases": [
                "KC_MS_U"
                "KC_MS_UP_TOO"
            ]
        },
        "0x7C00": {"key": "QK_BOOTLOADER", "aliases": ["QK_BOOT"],},
    }
  }`;
  const v2 = `{
    "keycodes": {
        /* renamed */
        "0x7820": {"key": "QK_UNDERGLOW_TOGGLE", "aliases": ["UG_TOGG"]},
        "0x7821": "!delete!",
        "0x00CD": {"key": "QK_MOUSE_CURSOR_UP", "aliases": ["!reset!", "MS_UP"]},
        "0x7C00": {"aliases": ["QK_RBT_NOT_REALLY"]},
    }
  }`;

  it("merges versions as QMK does: later keys win, !delete! removes, !reset! restarts a list", () => {
    const names = keycodeNamesFromQmkSources({ hjson: [v1, v2] });
    expect([...names].sort()).toEqual([
      "MS_UP",
      "QK_BOOT",
      "QK_BOOTLOADER",
      "QK_MOUSE_CURSOR_UP",
      "QK_RBT_NOT_REALLY",
      "QK_UNDERGLOW_TOGGLE",
      "UG_TOGG",
    ]);
  });

  it("reads one version alone", () => {
    expect(keycodeNamesFromQmkSources({ hjson: [v1] })).toContain("RGB_TOG");
  });

  it("adds a keyboard's own keycodes from keyboard.json", () => {
    const keyboard = JSON.stringify({
      keyboard_name: "x",
      keycodes: [{ key: "KB_CUSTOM", aliases: ["KBC"] }],
    });
    expect([...keycodeNamesFromQmkSources({ hjson: [keyboard] })].sort()).toEqual(["KBC", "KB_CUSTOM"]);
  });

  it("unites headers and hjson", () => {
    const names = keycodeNamesFromQmkSources({ headers: ["#define SEND_STRING(s) s"], hjson: [v1] });
    expect(names).toContain("SEND_STRING");
    expect(names).toContain("RGB_MOD");
  });
});
