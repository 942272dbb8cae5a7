import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runJob } from "../src/job/run-job.ts";
import { JobFailure } from "../src/job-failure.ts";
import { silentLogger } from "../src/log.ts";
import { TreeError, TreeManager } from "../src/tree/firmware-tree.ts";
import { readKeyboard, toolchainFor } from "../src/tree/keyboard-info.ts";
import { buildContext, makeJob } from "../test-support/build-context.ts";

// Firmware trees: a git URL cloned once and kept warm per pinned commit; a path used in place.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-tree-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) =>
  execa(
    "git",
    ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main", ...args],
    {
      cwd,
    },
  );

// A bare repository made from a copy of the demo tree, and a work clone to push new commits from.
async function demoRepo(name: string): Promise<{ bare: string; work: string; commit: string }> {
  const work = join(dir, `${name}-work`);
  await cp(DEMO_TREE, work, { recursive: true, filter: (src) => !/\/\.build$|\.(hex|bin|elf)$/.test(src) });
  await git(work, "init", "-q");
  await git(work, "add", "-A");
  await git(work, "commit", "-q", "-m", "demo tree");
  const bare = join(dir, `${name}.git`);
  await git(dir, "clone", "-q", "--bare", work, bare);
  await git(work, "remote", "add", "origin", bare);
  const commit = (await git(work, "rev-parse", "HEAD")).stdout.trim();
  return { bare, work, commit };
}

describe("a git tree source", () => {
  test("is cloned once, pinned to the ref's commit, and builds", async () => {
    const repo = await demoRepo("basic");
    const workDir = join(dir, "basic-agent");
    const ctx = await buildContext({ workDir, source: { kind: "git", url: repo.bare, ref: "main" } });
    const tree = ctx.trees.current;
    expect(tree.version).toBe(repo.commit);
    expect(tree.root).toBe(join(workDir, "trees", repo.commit));
    expect(tree.origin).toEqual({ kind: "git", url: repo.bare, ref: "main", commit: repo.commit });

    const out = await runJob(makeJob(await defaultKeymap("handwired/edge_pad"), tree.version), ctx);
    if (out.kind !== "done") throw new Error(out.kind);
    expect(out.result.status, out.log).toBe("finished");
    expect(await readdir(join(tree.root, "keyboards/handwired/edge_pad/keymaps"))).toEqual([
      "default",
      "numpad",
    ]);
  });

  test("stays warm across restarts and keeps each pinned version beside the newer one", async () => {
    const repo = await demoRepo("warm");
    const workDir = join(dir, "warm-agent");
    const opened: string[] = []; // what the catalogue publisher hears of: each version once, when ready
    const open = () =>
      new TreeManager({
        source: { kind: "git", url: repo.bare, ref: "main" },
        workDir,
        log: silentLogger,
        onOpen: (t) => opened.push(t.version),
      });
    const first = await (async () => {
      const m = open();
      return m.open();
    })();
    // A file the agent did not write: it survives a restart only if the checkout is reused.
    await writeFile(join(first.root, "warm-marker"), "x");

    await writeFile(join(repo.work, "VERSION"), "demo-2\n");
    await git(repo.work, "commit", "-q", "-am", "bump");
    await git(repo.work, "push", "-q", "origin", "HEAD:main");
    const newCommit = (await git(repo.work, "rev-parse", "HEAD")).stdout.trim();

    const manager = open();
    const second = await manager.open();
    expect(second.version).toBe(newCommit);
    expect(second.root).not.toBe(first.root);
    const old = await manager.forVersion(first.version);
    expect(old?.root).toBe(first.root);
    expect(await readFile(join(first.root, "warm-marker"), "utf8")).toBe("x");
    expect(await manager.forVersion(first.version)).toBe(old);
    expect(await manager.forVersion("f".repeat(40))).toBeNull();
    expect(await manager.forVersion("demo-1")).toBeNull();
    expect(opened).toEqual([first.version, newCommit, first.version]);
  });

  test("an unknown ref or an unreachable URL is a clear TreeError", async () => {
    const repo = await demoRepo("bad");
    const bad = new TreeManager({
      source: { kind: "git", url: repo.bare, ref: "no-such-branch" },
      workDir: join(dir, "bad-agent"),
      log: silentLogger,
    });
    await expect(bad.open()).rejects.toThrow(/has no ref "no-such-branch"/);
    const missing = new TreeManager({
      source: { kind: "git", url: join(dir, "nowhere.git"), ref: "main" },
      workDir: join(dir, "bad-agent-2"),
      log: silentLogger,
    });
    await expect(missing.open()).rejects.toThrow(TreeError);
  });
});

describe("a path tree source", () => {
  test("uses the tree in place with its VERSION file as the version", async () => {
    const m = new TreeManager({
      source: { kind: "path", path: DEMO_TREE },
      workDir: join(dir, "p"),
      log: silentLogger,
    });
    expect(await m.open()).toEqual({
      root: DEMO_TREE,
      version: "demo-1",
      origin: { kind: "path", path: DEMO_TREE },
    });
    expect(await m.forVersion("demo-2")).toBeNull();
  });

  test("at the top of its own git checkout, the version is the commit", async () => {
    const repo = await demoRepo("pathgit");
    const m = new TreeManager({
      source: { kind: "path", path: repo.work },
      workDir: join(dir, "pg"),
      log: silentLogger,
    });
    expect((await m.open()).version).toBe(repo.commit);
  });

  test.each([
    ["a missing path", async () => join(dir, "missing"), /does not exist/],
    [
      "a folder that is not a firmware tree",
      async () => {
        await mkdir(join(dir, "empty"), { recursive: true });
        return join(dir, "empty");
      },
      /does not look like a QMK firmware tree: it has no keyboards/,
    ],
  ])("%s is refused", async (_n, make, message) => {
    const m = new TreeManager({
      source: { kind: "path", path: await make() },
      workDir: join(dir, "x"),
      log: silentLogger,
    });
    await expect(m.open()).rejects.toThrow(message);
  });
});

describe("keyboard lookup", () => {
  test("reads processor, layouts and aliases from keyboard.json", async () => {
    const kb = await readKeyboard(DEMO_TREE, "handwired/edge_split");
    expect(kb.toolchain).toBe("arm");
    expect(kb.layouts).toEqual({ LAYOUT_split_3x5_3: 36 });
    expect(kb.aliases).toEqual({ LAYOUT: "LAYOUT_split_3x5_3" });
  });

  test("merges parent info.json files, deeper ones winning, as QMK does", async () => {
    const root = join(dir, "merge");
    await mkdir(join(root, "keyboards/acme/rev2"), { recursive: true });
    await writeFile(
      join(root, "keyboards/acme/info.json"),
      JSON.stringify({ processor: "atmega32u4", layouts: { LAYOUT: { layout: [{ matrix: [0, 0] }] } } }),
    );
    await writeFile(
      join(root, "keyboards/acme/rev2/keyboard.json"),
      JSON.stringify({ processor: "STM32F411" }),
    );
    const kb = await readKeyboard(root, "acme/rev2");
    expect(kb.processor).toBe("STM32F411");
    expect(kb.toolchain).toBe("arm");
    expect(kb.layouts).toEqual({ LAYOUT: 1 });
    expect(kb.files).toEqual(["keyboards/acme/info.json", "keyboards/acme/rev2/keyboard.json"]);
  });

  test("reads keyboard.json as QMK does, as hjson: comments, commas left out or left over", async () => {
    const root = join(dir, "hjson");
    await mkdir(join(root, "keyboards/loose"), { recursive: true });
    await writeFile(
      join(root, "keyboards/loose/keyboard.json"),
      [
        "{",
        '  "processor": "atmega32u4", // the MCU',
        '  "matrix_pins": {"cols": ["F4"]',
        '                  "rows": ["D1"]},',
        `  "layouts": {"LAYOUT": {"layout": [{"label": "\\'\\"", "matrix": [0, 0], "x": 0, "y": 0},]}},`,
        "}",
      ].join("\n"),
    );
    const kb = await readKeyboard(root, "loose");
    expect(kb.layouts).toEqual({ LAYOUT: 1 });
    expect(kb.info.matrix_pins).toEqual({ cols: ["F4"], rows: ["D1"] });
    expect(
      (kb.info.layouts as { LAYOUT: { layout: Array<{ label: string }> } }).LAYOUT.layout[0]!.label,
    ).toBe(`'"`);
  });

  test("a processor named only as MCU in rules.mk is read as QMK reads it, the deepest one winning", async () => {
    const root = join(dir, "mcu");
    await mkdir(join(root, "keyboards/anne/c15"), { recursive: true });
    await writeFile(join(root, "keyboards/anne/rules.mk"), "MCU = atmega32u4\n");
    await writeFile(
      join(root, "keyboards/anne/c15/rules.mk"),
      "# MCU\nMCU = cortex-m0plus  # an HT32\nBOARD = X\n",
    );
    await writeFile(join(root, "keyboards/anne/c15/keyboard.json"), JSON.stringify({ layouts: {} }));
    const kb = await readKeyboard(root, "anne/c15");
    expect(kb.processor).toBe("cortex-m0plus");
    expect(kb.toolchain).toBe("arm");
  });

  test("a development_board brings QMK's defaults from data/mappings/defaults.hjson, the keyboard's own winning", async () => {
    const root = join(dir, "boards");
    await mkdir(join(root, "keyboards/pm"), { recursive: true });
    await mkdir(join(root, "keyboards/own"), { recursive: true });
    await mkdir(join(root, "data/mappings"), { recursive: true });
    await writeFile(
      join(root, "data/mappings/defaults.hjson"),
      '{\n  // as QMK writes it\n  "development_board": {\n    "promicro": {"bootloader": "caterina", "pin_compatible": "promicro", "processor": "atmega32u4"}\n  }\n}\n',
    );
    await writeFile(
      join(root, "keyboards/pm/keyboard.json"),
      JSON.stringify({ development_board: "promicro" }),
    );
    await writeFile(
      join(root, "keyboards/own/keyboard.json"),
      JSON.stringify({ development_board: "promicro", bootloader: "qmk-dfu" }),
    );
    const pm = await readKeyboard(root, "pm");
    expect(pm.processor).toBe("atmega32u4");
    expect(pm.info).toMatchObject({ bootloader: "caterina", pin_compatible: "promicro" });
    expect((await readKeyboard(root, "own")).info.bootloader).toBe("qmk-dfu");
    // Without the file (old trees, the demo tree) the board still names its processor.
    const bare = join(dir, "boards-bare");
    await mkdir(join(bare, "keyboards/pm"), { recursive: true });
    await writeFile(
      join(bare, "keyboards/pm/keyboard.json"),
      JSON.stringify({ development_board: "promicro" }),
    );
    expect((await readKeyboard(bare, "pm")).toolchain).toBe("avr");
  });

  test("a keyboard folder that is a symlink out of the tree does not exist", async () => {
    const root = join(dir, "escape");
    await mkdir(join(root, "keyboards"), { recursive: true });
    await mkdir(join(dir, "outside"), { recursive: true });
    await writeFile(join(dir, "outside/keyboard.json"), JSON.stringify({ processor: "atmega32u4" }));
    await symlink(join(dir, "outside"), join(root, "keyboards/evil"));
    await expect(readKeyboard(root, "evil")).rejects.toThrow(JobFailure);
    await expect(readKeyboard(root, "evil")).rejects.toThrow(/does not exist/);
  });

  test("an unsupported or missing processor is a clear failure", async () => {
    const root = join(dir, "proc");
    await mkdir(join(root, "keyboards/riscv"), { recursive: true });
    await writeFile(join(root, "keyboards/riscv/keyboard.json"), JSON.stringify({ processor: "GD32VF103" }));
    await expect(readKeyboard(root, "riscv")).rejects.toThrow(
      /processor "GD32VF103", which this agent cannot build/,
    );
    await mkdir(join(root, "keyboards/none"), { recursive: true });
    await writeFile(join(root, "keyboards/none/keyboard.json"), "{}");
    await expect(readKeyboard(root, "none")).rejects.toThrow(/names no processor/);
    await mkdir(join(root, "keyboards/broken"), { recursive: true });
    await writeFile(join(root, "keyboards/broken/keyboard.json"), "{ nope");
    await expect(readKeyboard(root, "broken")).rejects.toThrow(
      /keyboards\/broken\/keyboard\.json in the firmware tree is not valid JSON/,
    );
  });

  test.each([
    ["atmega32u4", "avr"],
    ["at90usb1286", "avr"],
    ["STM32F072", "arm"],
    ["RP2040", "arm"],
    ["cortex-m4", "arm"],
    ["GD32VF103", null],
  ])("processor %s builds with %s", (processor, toolchain) => {
    expect(toolchainFor(processor)).toBe(toolchain);
  });
});
