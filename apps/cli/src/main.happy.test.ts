import { describe, expect, it } from "vitest";
import { CLI_TEST_TIMEOUT_MS, runCli } from "../test-support/run-cli.ts";

describe("qmk-edge help", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it.each([["--help"], ["-h"], ["help"]])("%s lists the commands on stdout", (flag) => {
    const run = runCli([flag]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: qmk-edge <command>/);
    expect(run.stdout).toMatch(/^ {2}json2c +print the keymap\.c/m);
    for (const name of ["compile", "status", "download", "help"]) {
      expect(run.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, "m"));
    }
    expect(run.stderr).toBe("");
  });

  it("help json2c shows that command's usage", () => {
    const run = runCli(["help", "json2c"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: qmk-edge json2c FILE\.json/);
  });
});
