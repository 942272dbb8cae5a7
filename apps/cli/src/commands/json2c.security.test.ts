import { LIMITS } from "@qmk-edge/schema";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_TEST_TIMEOUT_MS, runCli, scratchDir } from "../../test-support/run-cli.ts";

const scratch = scratchDir();
afterAll(() => scratch.cleanup(), CLI_TEST_TIMEOUT_MS);

const request = (fields: Record<string, unknown>) =>
  JSON.stringify({
    keyboard: "planck/rev6",
    keymap: "default",
    layout: "LAYOUT",
    layers: [["KC_A", "KC_B"]],
    ...fields,
  });

describe("qmk-edge json2c with hostile files", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("refuses C injection through keycodes, naming each key, and prints no C", () => {
    const hostile = ['KC_A); system("x"', "KC_A/*", "#include <x>", "KC_A\nKC_B", "{", "\u041aC_A"];
    const run = runCli(["json2c", scratch.write("inject.json", request({ layers: [hostile] }))]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n").slice(1, -1)).toEqual([
      `  layers.0.0: invalid keycode "KC_A); system(\\"x\\"": unexpected ')' at 5`,
      `  layers.0.1: invalid keycode "KC_A/*": unexpected '/' at 5`,
      `  layers.0.2: invalid keycode "#include <x>": unexpected '#' at 1`,
      `  layers.0.3: invalid keycode "KC_A\\nKC_B": control character U+000A at 5`,
      `  layers.0.4: invalid keycode "{": unexpected '{' at 1`,
      `  layers.0.5: invalid keycode "\\u041AC_A": non-ASCII character U+041A at 1`,
    ]);
  });

  it.each([
    ["keyboard", "../../etc"],
    ["keyboard", "/abs"],
    ["keymap", "a/../b"],
    ["keymap", "a\\b"],
    ["keymap", "foo%2f.."],
    ["layout", "LAYOUT(KC_A); //"],
  ])("refuses %s %j", (field, value) => {
    const run = runCli(["json2c", scratch.write(`${field}.json`, request({ [field]: value }))]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`\\n  ${field}: `));
  });

  it("never writes terminal control sequences from the input to stderr", () => {
    const path = scratch.write(
      "escape.json",
      request({ layers: [["KC_A\u001b]0;pwned\u0007", "KC_B\u009b2J"]] }),
    );
    const run = runCli(["json2c", path]);
    expect(run.status).toBe(1);
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(run.stderr).toContain("\\u001B]0;pwned\\u0007");
  });

  it("escapes control characters in a file name it cannot read", () => {
    const run = runCli(["json2c", "evil\u001b[2J.json"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('qmk-edge json2c: cannot read "evil\\u001B[2J.json": no such file\n');
  });

  it("stops reading standard input past the size limit", () => {
    const path = scratch.write("huge.json", `{"notes": "${"x".repeat(LIMITS.bodyBytes * 4)}"}`);
    const run = runCli(["json2c", "-"], { stdinPath: path });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/request is \d+ bytes; the limit is 262144 bytes\n$/);
  });
});
