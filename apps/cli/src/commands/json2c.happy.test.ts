import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeymapC, parseCompileRequestText } from "@qmk-edge/keymap";
import { describe, expect, it } from "vitest";
import { QMK_FIXTURES_DIR, runCli } from "../testing/run-cli.ts";

const fixtures = readdirSync(QMK_FIXTURES_DIR)
  .filter((f) => f.endsWith(".keymap.json"))
  .map((f) => join(QMK_FIXTURES_DIR, f));

function expectedC(path: string): string {
  const parsed = parseCompileRequestText(readFileSync(path, "utf8"));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return generateKeymapC(parsed.value);
}

describe("qmk-edge json2c", () => {
  it("finds the shared QMK fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2);
  });

  it.each(fixtures)("prints keymap.c for %s and exits 0", (path) => {
    const run = runCli(["json2c", path]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(expectedC(path));
    expect(run.stdout).toContain("const uint16_t PROGMEM keymaps[][MATRIX_ROWS][MATRIX_COLS] = {");
  });

  it("reads standard input when FILE.json is -", () => {
    const path = fixtures[0]!;
    const run = runCli(["json2c", "-"], { input: readFileSync(path) });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(expectedC(path));
  });

  it("accepts a file name after --", () => {
    const run = runCli(["json2c", "--", fixtures[0]!]);
    expect(run.status).toBe(0);
  });

  it("prints its usage for --help", () => {
    const run = runCli(["json2c", "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: qmk-edge json2c FILE\.json/);
  });
});
