import { describe, expect, it } from "vitest";
import { goldenPairs } from "../test-support/qmk-fixtures.ts";
import { expectedKeymapC, KNOWN_DIFFERENCES, qmkGenerated } from "../test-support/qmk-golden.ts";
import { accepted } from "../test-support/requests.ts";
import { generateKeymapC } from "./keymap-c.ts";
import { parseCompileRequestText } from "./parse-compile-request.ts";

// Golden pairs: a keymap.json from qmk_firmware and what QMK's own `qmk json2c` printed for it (see the
// README beside them), compared as test-support/qmk-golden.ts says (QMK's print() newline is not part of the file).

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
    const c = ours(pair.json);
    expect(c, `${pair.name} now matches QMK: remove it from KNOWN_DIFFERENCES`).not.toBe(
      qmkGenerated(pair.c),
    );
    expect(c, KNOWN_DIFFERENCES[pair.name]!.reason).toBe(expectedKeymapC(pair));
  });
});
