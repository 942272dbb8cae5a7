import { existsSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BuildHostError, probeBuildHost } from "../src/build/host.ts";

// A real QMK tree's make runs the `qmk` CLI for every build. The agent checks for it at start, in the
// environment builds get, and refuses to start without it instead of failing every job it leases.
// `qmk` here is a shell script standing in for the Python CLI (npm test has no real tree or CLI).

const MAIN = resolve(import.meta.dirname, "../src/main.ts");
let dir: string;
let qmkTree: string; // demo tree + lib/python/qmk: what marks a tree as QMK's
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-build-host-"));
  qmkTree = join(dir, "qmk-tree");
  await cp(DEMO_TREE, qmkTree, { recursive: true, filter: (p) => !/\/\.build$|\.(hex|bin)$/.test(p) });
  await mkdir(join(qmkTree, "lib", "python", "qmk"), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const systemPath = process.env.PATH ?? "/usr/bin:/bin";
// The test's PATH without any directory that holds a `qmk` (an operator's real CLI, say).
const pathWithoutQmk = () =>
  systemPath
    .split(delimiter)
    .filter((d) => !existsSync(join(d, "qmk")))
    .join(delimiter);

// A directory holding a `qmk` that runs `script`, for PATH.
async function qmkBin(name: string, script: string): Promise<string> {
  const bin = join(dir, name);
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, "qmk"), `#!/bin/sh\n${script}\n`);
  await chmod(join(bin, "qmk"), 0o755);
  return bin;
}

const probe = (treeRoot: string, path: string) =>
  probeBuildHost({ workDir: join(dir, "work"), path, ccache: "off", isolateNetwork: "off", treeRoot });

describe("the qmk CLI check", () => {
  test("the demo tree does not need it", async () => {
    const host = await probe(DEMO_TREE, systemPath);
    expect(host.note).not.toContain("qmk");
    expect(host.sandbox.env).toEqual({});
  });

  test("a QMK tree without `qmk` on PATH stops the agent with the install hint", async () => {
    const bare = pathWithoutQmk();
    const err = await probe(qmkTree, bare).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildHostError);
    expect(String(err)).toMatch(/is a QMK tree whose make runs the `qmk` CLI, but `qmk` is not on PATH/);
    expect(String(err)).toContain("python3 -m pip install --user qmk");
  });

  test("a working `qmk` is run as builds run it (tree root, fresh HOME, QMK_HOME) and named in the log header", async () => {
    const bin = await qmkBin(
      "good",
      `[ "$1" = --version ] && [ "$QMK_HOME" = "$PWD" ] && [ "$HOME" != "${process.env.HOME}" ] && echo 1.1.8`,
    );
    const host = await probe(qmkTree, `${bin}${delimiter}${systemPath}`);
    expect(host.note).toContain("qmk CLI 1.1.8");
    expect(host.sandbox.path.split(delimiter)).toContain(bin);
  });

  test("a `qmk` that needs the user's Python packages gets PYTHONUSERBASE passed on to builds", async () => {
    const bin = await qmkBin(
      "userbase",
      '[ -n "$PYTHONUSERBASE" ] && echo 1.1.8 || { echo "ModuleNotFoundError: qmk_cli" >&2; exit 1; }',
    );
    const host = await probe(qmkTree, `${bin}${delimiter}${systemPath}`);
    expect(host.sandbox.env.PYTHONUSERBASE).toBeTruthy();
  });

  test("a `qmk` that fails in a build's environment stops the agent with its message", async () => {
    const bin = await qmkBin("broken", 'echo "ImportError: no module named milc" >&2; exit 1');
    const err = await probe(qmkTree, `${bin}${delimiter}${systemPath}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildHostError);
    expect(String(err)).toMatch(/fails in a build's environment \(ImportError: no module named milc\)/);
  });

  test("qmk-edge-agent exits 2 with that message before leasing anything", async () => {
    const bare = pathWithoutQmk();
    const res = await execa(
      process.execPath,
      [MAIN, "--api", "http://127.0.0.1:9", "--token", "t", "--tree", qmkTree, "--work-dir", join(dir, "w")],
      { reject: false, env: { PATH: bare }, timeout: 60_000 },
    );
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain("`qmk` is not on PATH");
    expect(res.stderr).toContain("python3 -m pip install --user qmk");
  });
});
