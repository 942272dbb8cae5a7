import { readFileSync } from "node:fs";
import { join } from "node:path";
import { goldenPairs, QMK_GOLDEN_DIR } from "@qmk-edge/keymap/test-support/qmk-fixtures.ts";
import { expectedKeymapC } from "@qmk-edge/keymap/test-support/qmk-golden.ts";
import { describe, expect, it } from "vitest";
import { CLI_TEST_TIMEOUT_MS, runCli } from "../../test-support/run-cli.ts";

// The real CLI on QMK's own golden pairs: a keymap.json from qmk_firmware and the keymap.c `qmk json2c`
// printed for it. Compared as packages/keymap's golden test compares the generator (one normalisation, in
// test-support/qmk-golden.ts: QMK's print() adds a newline that is no part of the keymap.c it writes, and the
// listed known differences, spacing and the encoder map, are taken out of QMK's side).

const pairs = goldenPairs();
const jsonPath = (name: string) => join(QMK_GOLDEN_DIR, `${name}.keymap.json`);

describe("qmk-edge json2c", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("finds QMK's golden pairs", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(16);
  });

  it.each(pairs.map((p) => [p.name, p] as const))("prints QMK's keymap.c for %s and exits 0", (_n, pair) => {
    const run = runCli(["json2c", jsonPath(pair.name)]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(expectedKeymapC(pair));
  });

  it("reads standard input when FILE.json is -", () => {
    const pair = pairs.find((p) => p.name === "handwired_pytest_macro__default")!;
    const run = runCli(["json2c", "-"], { input: readFileSync(jsonPath(pair.name)) });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(expectedKeymapC(pair));
  });

  it("accepts a file name after --", () => {
    const pair = pairs[0]!;
    const run = runCli(["json2c", "--", jsonPath(pair.name)]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(expectedKeymapC(pair));
  });

  it("prints its usage for --help", () => {
    const run = runCli(["json2c", "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: qmk-edge json2c FILE\.json/);
  });
});
