import { expect } from "vitest";
import type { GoldenPair } from "./qmk-fixtures.ts";

// How our keymap.c must compare with QMK's own `qmk json2c` output for a golden pair (qmk-fixtures.ts):
// byte for byte, with one justified exception for every pair: printed to stdout, json2c's dump_lines ends
// with print(), which adds a newline to the text it writes with --output. The --output file is the keymap.c
// QMK compiles (builddefs/build_keyboard.mk runs `qmk json2c --output`), and what generateKeymapC writes.
export function qmkGenerated(printed: string): string {
  expect(printed.endsWith("#endif // OTHER_KEYMAP_C\n\n\n")).toBe(true);
  return printed.slice(0, -1);
}

const SPACING =
  "QMK copies keycode text as typed (`LT(2,KC_F1)`); we write its canonical form (`LT(2, KC_F1)`), the text " +
  "the content key is computed from, so requests that differ only in spacing get the same bytes";

// Pairs our output differs from on purpose or for a missing feature, and QMK's output with that difference
// taken out. src/keymap-c.golden.test.ts fails when one starts matching (take it off the list).
export const KNOWN_DIFFERENCES: Record<string, { reason: string; qmkWithout: (c: string) => string }> = {
  dj505_picofx__menumode: { reason: SPACING, qmkWithout: (c) => c.replace(/,(?=[^ \n])/g, ", ") },
  durgod_dgk6x_venus_ansi__default: { reason: SPACING, qmkWithout: (c) => c.replace(/,(?=[^ \n])/g, ", ") },
};

// The keymap.c we must write for a golden pair: QMK's, normalised as above, known differences taken out.
export function expectedKeymapC(pair: GoldenPair): string {
  const qmk = qmkGenerated(pair.c);
  const known = KNOWN_DIFFERENCES[pair.name];
  return known ? known.qmkWithout(qmk) : qmk;
}
