import { LIMITS } from "@qmk-edge/schema";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_TEST_TIMEOUT_MS, REPO_ROOT, runCli, scratchDir } from "../../test-support/run-cli.ts";

const scratch = scratchDir();
afterAll(() => scratch.cleanup(), CLI_TEST_TIMEOUT_MS);

const keymap = (layers: unknown) =>
  JSON.stringify({ keyboard: "planck/rev6", keymap: "default", layout: "LAYOUT", layers });

describe("qmk-edge json2c refuses what it cannot use", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("exits 1 naming a missing file", () => {
    const run = runCli(["json2c", "no/such/keymap.json"]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe('qmk-edge json2c: cannot read "no/such/keymap.json": no such file\n');
  });

  it("exits 1 for a directory", () => {
    const run = runCli(["json2c", REPO_ROOT]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cannot read ".*": it is a directory\n$/);
  });

  it.each([
    [[], "missing FILE.json"],
    [["a.json", "b.json"], "expected one FILE.json, got 2 arguments"],
    [["--output", "a.json"], 'unknown option "--output"'],
  ])("exits 2 for arguments %j", (args, problem) => {
    const run = runCli(["json2c", ...args]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(`^qmk-edge json2c: ${problem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\nusage:`),
    );
  });

  it.each([
    ["broken.json", '{"keyboard": ', "request is not valid JSON"],
    ["empty.json", "", "request is empty; expected a JSON object"],
    ["array.json", "[]", "Invalid input: expected object, received array"],
  ])("exits 1 for %s", (name, content, message) => {
    const run = runCli(["json2c", scratch.write(name, content)]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`is not a valid keymap:\n  ${message}`);
  });

  it("lists each field at fault, one per line", () => {
    const path = scratch.write(
      "bad-keys.json",
      keymap([
        ["KC_A", "KC_B", "KC_C", "KC_D;"],
        ["KC_A", "MO(", "KC_C", 5],
      ]),
    );
    const run = runCli(["json2c", path]);
    expect(run.status).toBe(1);
    expect(run.stderr.split("\n").slice(1)).toEqual([
      `  layers.0.3: invalid keycode "KC_D;": unexpected ';' at 5`,
      `  layers.1.1: invalid keycode "MO(": unexpected end of keycode at 4`,
      "  layers.1.3: Invalid input: expected string, received number",
      "",
    ]);
  });

  it("refuses ragged layers at the short layer", () => {
    const run = runCli(["json2c", scratch.write("ragged.json", keymap([["KC_A", "KC_B"], ["KC_A"]]))]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("  layers.1: layer 1 has 1 keys, layer 0 has 2");
  });

  it(`refuses a file over ${LIMITS.bodyBytes} bytes without generating anything`, () => {
    const path = scratch.write("big.json", `{"notes": "${"x".repeat(LIMITS.bodyBytes)}"}`);
    const run = runCli(["json2c", path]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      `  request is ${LIMITS.bodyBytes + 1} bytes; the limit is ${LIMITS.bodyBytes} bytes`,
    );
  });
});
