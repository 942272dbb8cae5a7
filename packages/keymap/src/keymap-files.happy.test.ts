import { describe, expect, it } from "vitest";
import { parsedRequest } from "../test-support/requests.ts";
import { generateConfigH, generateKeymapH, generateRulesMk } from "./keymap-files.ts";

const YEAR = { year: 2026 };
const body = (text: string) => text.slice(text.indexOf("#pragma once"));
const rules = (text: string) => text.slice(text.lastIndexOf("#".repeat(80)) + 81);

describe("keymap-level files beyond the golden fixtures", () => {
  it("writes each kind of define as QMK's keymap mode does: int, flag on/off, bool", () => {
    const config = {
      tapping: { term: 180, retro: false, permissive_hold: true },
      rgb_matrix: {
        default: { on: false, animation: "cycle_all" },
        animations: { breathing: true, band_sat: false },
      },
      encoder: { enabled: true },
    };
    expect(body(generateConfigH(parsedRequest({ config }), YEAR))).toBe(
      [
        "#pragma once",
        "",
        "#undef RGB_MATRIX_DEFAULT_ON",
        "#define RGB_MATRIX_DEFAULT_ON false",
        "",
        "#define PERMISSIVE_HOLD",
        "",
        "#undef RETRO_TAPPING",
        "",
        "#undef TAPPING_TERM",
        "#define TAPPING_TERM 180",
        "",
        "#undef ENCODER_A_PINS",
        "#define ENCODER_A_PINS {  }",
        "",
        "#undef ENCODER_B_PINS",
        "#define ENCODER_B_PINS {  }",
        "",
        "#undef RGB_MATRIX_DEFAULT_MODE",
        "#define RGB_MATRIX_DEFAULT_MODE RGB_MATRIX_CYCLE_ALL",
        "",
        "#define ENABLE_RGB_MATRIX_BREATHING",
        "",
        "#undef ENABLE_RGB_MATRIX_BAND_SAT",
        "",
      ].join("\n"),
    );
  });

  it("writes rules in QMK's order: mapped rules, features, converter", () => {
    const config = {
      features: { via: true, console: false },
      encoder: { enabled: true },
      build: { lto: true },
    };
    expect(rules(generateRulesMk(parsedRequest({ config, converter: "rp2040_ce" }), YEAR))).toBe(
      "\nENCODER_ENABLE = yes\nLTO_ENABLE = yes\nVIA_ENABLE = yes\nCONSOLE_ENABLE = no\nCONVERT_TO = rp2040_ce\n",
    );
  });

  it("numbers custom keycodes from QK_USER_0 and defines their aliases", () => {
    const keycodes = [
      { key: "MY_ONE", aliases: ["M1", "ONE"] },
      { key: "MY_TWO", label: "Two" },
    ];
    expect(generateKeymapH(parsedRequest({ keycodes }), YEAR)).toMatch(
      /#endif\nenum keymap_keycodes \{\n {2}MY_ONE = QK_USER_0,\n {2}MY_TWO,\n\};\n#define M1 MY_ONE\n#define ONE MY_ONE\n$/,
    );
  });

  it("dates QMK's header with the year given, nothing else", () => {
    expect(generateConfigH(parsedRequest({}), { year: 2031 })).toMatch(/^\/\/ Copyright 2031 QMK\n/);
    expect(generateRulesMk(parsedRequest({}), { year: 2031 })).toMatch(/^# Copyright 2031 QMK\n/);
  });
});
