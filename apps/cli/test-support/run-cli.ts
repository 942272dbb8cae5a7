import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "@qmk-edge/keymap/test-support/qmk-fixtures.ts";

export const REPO_ROOT = repoRoot();

export type CliRun = { status: number | null; stdout: string; stderr: string };

// Each run is a new Node process (start-up, type stripping, the keymap package): under a second on a quiet
// machine, many seconds on a loaded 2-core one (issue 19: vitest's 5 s default failed these tests there).
// So every test file that runs the CLI gives its tests and hooks CLI_TEST_TIMEOUT_MS, room for a few runs,
// and a run is killed after CLI_RUN_TIMEOUT_MS, so a hung CLI fails its test and never outlives it.
// Nothing here measures time: a run that ends is judged by what it printed.
export const CLI_RUN_TIMEOUT_MS = 60_000;
export const CLI_TEST_TIMEOUT_MS = 180_000;

// The CLI as a user runs it: a separate Node process (process.execPath is Node 22 under the test runner).
// Standard input is `input`, or the file at `stdinPath` (for input the CLI may stop reading early).
export function runCli(
  args: string[],
  stdin: { input?: string | Uint8Array; stdinPath?: string } = {},
): CliRun {
  const fd = stdin.stdinPath === undefined ? null : openSync(stdin.stdinPath, "r");
  try {
    const res = spawnSync(process.execPath, ["apps/cli/src/main.ts", ...args], {
      cwd: REPO_ROOT,
      input: fd === null ? (stdin.input ?? "") : undefined,
      stdio: [fd ?? "pipe", "pipe", "pipe"],
      encoding: "utf8",
      timeout: CLI_RUN_TIMEOUT_MS,
    });
    if (res.error) throw res.error;
    return { status: res.status, stdout: res.stdout, stderr: res.stderr };
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

// A scratch directory for hostile input files; call the returned cleanup in afterAll.
export function scratchDir(): {
  write: (name: string, content: string | Uint8Array) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), "qmk-edge-cli-"));
  return {
    write: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// The same, without blocking the test process: needed when the test itself serves HTTP to the CLI.
export function runCliAsync(args: string[]): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["apps/cli/src/main.ts", ...args], {
      cwd: REPO_ROOT,
      timeout: CLI_RUN_TIMEOUT_MS,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdin.end();
    child.on("error", reject);
    child.on("close", (status) => resolvePromise({ status, stdout, stderr }));
  });
}
