import { describe, expect, it } from "vitest";
import { keymapFixtures } from "../test-support/qmk-fixtures.ts";
import { minimalRequest } from "../test-support/requests.ts";
import { parseCompileRequest, parseCompileRequestText } from "./parse-compile-request.ts";

const minimal = minimalRequest;

describe("parseCompileRequest accepts real Configurator keymaps", () => {
  const fixtures = keymapFixtures();

  it("finds the shared QMK fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))("%s parses from its file text", (_name, fixture) => {
    const refused = parseCompileRequestText(fixture.text);
    expect(refused.ok ? [] : refused.errors.map((e) => e.path)).toEqual(fixture.refused);
    const result = parseCompileRequestText(fixture.request);
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    expect(result.value.keyboard).toBe(fixture.json.keyboard);
    expect(result.value.layout).toBe(fixture.json.layout);
    expect(result.value.layers).toEqual(fixture.json.layers);
  });

  it("refuses the misspelt coonfig QMK ignores, and keeps the encoders it builds", () => {
    const fixture = fixtures.find((f) => f.name.startsWith("1upkeyboards__sweet16v2__"))!;
    const refused = parseCompileRequestText(fixture.text);
    expect(refused.ok ? [] : refused.errors).toEqual([
      { path: "coonfig", message: expect.stringMatching(/^unknown field; a keymap has /) },
    ]);
    const result = parseCompileRequestText(fixture.request);
    expect(result.ok && result.value.encoders).toEqual(fixture.json.encoders);
  });

  it("keeps Configurator's version, author, notes and documentation", () => {
    const fixture = fixtures.find((f) => f.name.startsWith("lily58_"))!;
    const result = parseCompileRequestText(fixture.text);
    expect(result.ok && [result.value.version, result.value.author, result.value.notes]).toEqual([1, "", ""]);
    expect(result.ok && result.value.documentation).toContain("QMK Configurator export");
  });
});

describe("parseCompileRequest normalises keycodes", () => {
  it("returns each keycode in canonical form", () => {
    const result = parseCompileRequest({
      ...minimal,
      layers: [["LT(1,KC_SPC)", " MT(MOD_LCTL|MOD_LSFT,KC_A) ", "ANY(0x7c00)", "_______"]],
    });
    expect(result.ok && result.value.layers).toEqual([
      ["LT(1, KC_SPC)", "MT(MOD_LCTL | MOD_LSFT, KC_A)", "ANY(0x7C00)", "_______"],
    ]);
  });

  it("accepts the optional API fields branch and converter", () => {
    const result = parseCompileRequest({ ...minimal, branch: "master", converter: "promicro_rp2040" });
    expect(result.ok && [result.value.branch, result.value.converter]).toEqual(["master", "promicro_rp2040"]);
  });

  it("does not change the object it was given", () => {
    const body = { ...minimal, layers: [["LT(1,KC_A)"]] };
    parseCompileRequest(body);
    expect(body.layers).toEqual([["LT(1,KC_A)"]]);
  });
});

describe("parseCompileRequestText reads raw bodies", () => {
  const text = JSON.stringify(minimal);

  it("reads UTF-8 bytes as well as text", () => {
    const result = parseCompileRequestText(new TextEncoder().encode(text));
    expect(result.ok && result.value.keymap).toBe("default");
  });

  it("tolerates a leading byte-order mark", () => {
    expect(parseCompileRequestText(`\ufeff${text}`).ok).toBe(true);
    expect(
      parseCompileRequestText(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)])).ok,
    ).toBe(true);
  });

  it("accepts a body of exactly the byte limit", () => {
    const padded = `${text}${" ".repeat(1000 - text.length)}`;
    expect(parseCompileRequestText(padded, 1000).ok).toBe(true);
  });
});

describe("parseCompileRequest keeps macros", () => {
  it("returns macros with key names in canonical form and text unchanged", () => {
    const result = parseCompileRequest({
      ...minimal,
      macros: [
        ["Hello, World!\r\n", { action: "tap", keycodes: [" LCTL ", "C"] }],
        [{ action: "delay", duration: 10_000 }, { action: "beep" }, { action: "down", keycodes: ["1"] }],
      ],
    });
    expect(result.ok && result.value.macros).toEqual([
      ["Hello, World!\r\n", { action: "tap", keycodes: ["LCTL", "C"] }],
      [{ action: "delay", duration: 10_000 }, { action: "beep" }, { action: "down", keycodes: ["1"] }],
    ]);
  });

  it("accepts 32 macros, and none at all", () => {
    expect(parseCompileRequest({ ...minimal, macros: Array.from({ length: 32 }, () => ["x"]) }).ok).toBe(
      true,
    );
    expect(parseCompileRequest({ ...minimal, macros: [] }).ok).toBe(true);
    const without = parseCompileRequest(minimal);
    expect(without.ok && "macros" in without.value).toBe(false);
  });

  it("leaves no parsed form in the JSON of the request", () => {
    const result = parseCompileRequest({ ...minimal, macros: [["x"]] });
    expect(result.ok && JSON.parse(JSON.stringify(result.value))).toEqual({ ...minimal, macros: [["x"]] });
  });
});
