import { describe, expect, it } from "vitest";
import { generateKeymapC } from "./keymap-c.ts";
import { parseCompileRequestText } from "./parse-compile-request.ts";
import { goldenPairs } from "./testing/qmk-fixtures.ts";
import { accepted } from "./testing/requests.ts";

// Golden pairs: a keymap.json from qmk_firmware and what QMK's own `qmk json2c` printed for it (see the
// README beside them). Compared byte for byte, with one justified exception: printed to stdout, json2c's
// dump_lines ends with print(), which adds a newline to the text it writes with --output. The --output file
// is the keymap.c QMK compiles (builddefs/build_keyboard.mk runs `qmk json2c --output`), and what
// generateKeymapC writes.
function qmkGenerated(printed: string): string {
  expect(printed.endsWith("#endif // OTHER_KEYMAP_C\n\n\n")).toBe(true);
  return printed.slice(0, -1);
}

const SPACING =
  "QMK copies keycode text as typed (`LT(2,KC_F1)`); we write its canonical form (`LT(2, KC_F1)`), the text " +
  "the content key is computed from, so requests that differ only in spacing get the same bytes";
const ENCODERS = "the encoder map (`encoders`) is not rendered yet; the field is kept but not built";

// Pairs our output differs from on purpose or for a missing feature. The test fails when one starts
// matching (take it off the list) and checks the rest of each file still matches.
const KNOWN_DIFFERENCES: Record<string, { reason: string; qmkWithout: (c: string) => string }> = {
  dj505_picofx__menumode: { reason: SPACING, qmkWithout: (c) => c.replace(/,(?=[^ \n])/g, ", ") },
  durgod_dgk6x_venus_ansi__default: { reason: SPACING, qmkWithout: (c) => c.replace(/,(?=[^ \n])/g, ", ") },
  handwired_erikpeyronson_erkbd__default: { reason: ENCODERS, qmkWithout: withoutEncoderMap },
  mechwild_bb65__default: { reason: ENCODERS, qmkWithout: withoutEncoderMap },
};

function withoutEncoderMap(c: string): string {
  const start = c.indexOf("#if defined(ENCODER_ENABLE) && defined(ENCODER_MAP_ENABLE)\n");
  const endMark = "#endif // defined(ENCODER_ENABLE) && defined(ENCODER_MAP_ENABLE)";
  const end = c.indexOf(endMark);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  return c.slice(0, start) + c.slice(end + endMark.length);
}

const pairs = goldenPairs();
const ours = (json: string) => generateKeymapC(accepted(parseCompileRequestText(json)));

describe("generateKeymapC against QMK's own json2c output", () => {
  it("finds every golden pair, including each one listed as a known difference", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(16);
    const names = pairs.map((p) => p.name);
    for (const name of Object.keys(KNOWN_DIFFERENCES)) expect(names).toContain(name);
    expect(names).toContain("handwired_pytest_macro__default");
  });

  const matching = pairs.filter((p) => !(p.name in KNOWN_DIFFERENCES));
  it.each(matching.map((p) => [p.name, p] as const))("%s: byte for byte", (_name, pair) => {
    expect(ours(pair.json)).toBe(qmkGenerated(pair.c));
  });

  const differing = pairs.filter((p) => p.name in KNOWN_DIFFERENCES);
  it.each(differing.map((p) => [p.name, p] as const))("%s: differs only as listed", (_name, pair) => {
    const known = KNOWN_DIFFERENCES[pair.name]!;
    const expected = qmkGenerated(pair.c);
    const c = ours(pair.json);
    expect(c, `${pair.name} now matches QMK: remove it from KNOWN_DIFFERENCES`).not.toBe(expected);
    expect(c, known.reason).toBe(known.qmkWithout(expected));
  });
});
