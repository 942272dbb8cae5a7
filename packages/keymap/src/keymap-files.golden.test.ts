import { describe, expect, it } from "vitest";
import { goldenFields } from "../test-support/qmk-fixtures.ts";
import { accepted } from "../test-support/requests.ts";
import { generateKeymapC } from "./keymap-c.ts";
import { generateConfigH, generateKeymapH, generateRulesMk } from "./keymap-files.ts";
import { parseCompileRequest, parseCompileRequestText } from "./parse-compile-request.ts";

// golden-fields: nine keymap.json files of qmk_firmware with `config`, `encoders` or `keycodes`, and the
// keymap.c, config.h, rules.mk and keymap.h QMK's own generators (qmk_cli 1.2.0, a 2026 tree) made of each,
// read in place. Ours must be the same bytes; QMK's header carries the year its generator ran in (2026).

const YEAR = { year: 2026 };
const fixtures = goldenFields();

// The one fixture with a field QMK ignores: a misspelt `coonfig`. qmk-edge refuses it by name (a user who
// meant `config` would otherwise get a board without the settings); without it, the bytes are QMK's.
const MISSPELT = "1upkeyboards_sweet16v2__default";

// QMK copies keycode text as typed (`LT(5,KC_S)`); we write the canonical form (`LT(5, KC_S)`), as
// test-support/qmk-golden.ts explains for the json2c pairs.
const SPACED = new Set(["splitkb_aurora_sweep_rev1__default"]);
const canonicalSpacing = (c: string) => c.replace(/,(?=[^ \n])/g, ", ");

function request(json: string) {
  const body = JSON.parse(json) as Record<string, unknown>;
  if ("coonfig" in body) delete body.coonfig;
  return accepted(parseCompileRequest(body));
}

describe("keymap-level files against QMK's own generators", () => {
  it("finds the nine fixtures", () => {
    expect(fixtures.map((f) => f.name)).toContain(MISSPELT);
    expect(fixtures.length).toBe(9);
  });

  it("refuses the misspelt field QMK ignores, by its name", () => {
    const json = fixtures.find((f) => f.name === MISSPELT)!.json;
    const parsed = parseCompileRequestText(json);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors.map((e) => e.path)).toEqual(["coonfig"]);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))("%s: keymap.c byte for byte", (_, f) => {
    const qmk = SPACED.has(f.name) ? canonicalSpacing(f.keymapC) : f.keymapC;
    if (SPACED.has(f.name)) expect(qmk).not.toBe(f.keymapC);
    expect(generateKeymapC(request(f.json))).toBe(qmk);
  });
  it.each(fixtures.map((f) => [f.name, f] as const))("%s: config.h byte for byte", (_, f) => {
    expect(generateConfigH(request(f.json), YEAR)).toBe(f.configH);
  });
  it.each(fixtures.map((f) => [f.name, f] as const))("%s: rules.mk byte for byte", (_, f) => {
    expect(generateRulesMk(request(f.json), YEAR)).toBe(f.rulesMk);
  });
  it.each(fixtures.map((f) => [f.name, f] as const))("%s: keymap.h byte for byte", (_, f) => {
    expect(generateKeymapH(request(f.json), YEAR)).toBe(f.keymapH);
  });
});
