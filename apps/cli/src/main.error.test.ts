import { describe, expect, it } from "vitest";
import { CLI_TEST_TIMEOUT_MS, runCli } from "../test-support/run-cli.ts";

describe("qmk-edge usage errors exit 2", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("without a command, prints usage to stderr", () => {
    const run = runCli([]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^usage: qmk-edge <command>/);
  });

  it("names an unknown command", () => {
    const run = runCli(["compiel", "x.json"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^qmk-edge: unknown command "compiel"\nusage:/);
  });

  it("names an unknown help topic", () => {
    const run = runCli(["help", "nope"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^qmk-edge: unknown command "nope"/);
  });
});
