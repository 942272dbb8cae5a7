import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { userKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { elfKeymapWords, expectedKeymapWords } from "@qmk-edge/test/support/firmware/fidelity.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BuildContext } from "../src/job/context.ts";
import { runJob } from "../src/job/run-job.ts";
import { JobFailure } from "../src/job-failure.ts";
import {
  parseDefaultFolder,
  parseKeyboardAliases,
  resolveKeyboardFolder,
} from "../src/tree/keyboard-folder.ts";
import { buildContext, keptElf, makeJob } from "../test-support/build-context.ts";

// A request names a keyboard the way users know it; QMK builds a folder: old names go through
// data/mappings/keyboard_aliases.hjson (chains allowed), then a DEFAULT_FOLDER in rules.mk picks a revision.

let dir: string;
let ctx: BuildContext;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-kb-folder-"));
  ctx = await buildContext({ workDir: join(dir, "work"), keepElf: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("reading QMK's files", () => {
  test("keyboard_aliases.hjson: comments, unquoted keys, trailing commas and slashes, as in qmk_firmware", () => {
    const text = [
      "{",
      "    // Format for each entry:",
      '    // "<alias>": { "target": "<keyboard_folder>" }',
      '    /* "commented": { "target": "out" }, */',
      '    "_test_a": { "target": "_test_b" },',
      '    "matchstickworks/southpad": {',
      '        "target": "matchstickworks/southpad/rev2/"',
      "    },",
      '    "era/klein": {',
      '        target: "era/sirind/klein_sd"',
      "\t},",
      "}",
    ].join("\n");
    expect([...parseKeyboardAliases(text)]).toEqual([
      ["_test_a", "_test_b"],
      ["matchstickworks/southpad", "matchstickworks/southpad/rev2"],
      ["era/klein", "era/sirind/klein_sd"],
    ]);
  });

  test("DEFAULT_FOLDER in rules.mk: =, := and ?=, the last one winning, comments ignored", () => {
    expect(parseDefaultFolder("# DEFAULT_FOLDER = no\nDEFAULT_FOLDER = lily58/rev1\n")).toBe("lily58/rev1");
    expect(parseDefaultFolder("DEFAULT_FOLDER := a/b # the first\nDEFAULT_FOLDER ?= a/c\n")).toBe("a/c");
    expect(parseDefaultFolder("MCU = atmega32u4\n")).toBeNull();
  });
});

describe("resolving in the demo tree", () => {
  test.each([
    ["handwired/edge_pad", "handwired/edge_pad", 0],
    ["edgepad", "handwired/edge_pad", 2], // alias -> alias -> folder
    ["handwired/edge_duo", "handwired/edge_duo/rev1", 1], // DEFAULT_FOLDER
    ["edge_duo", "handwired/edge_duo/rev1", 2], // alias -> folder with a DEFAULT_FOLDER
  ])("%s builds %s", async (requested, folder, steps) => {
    const resolved = await resolveKeyboardFolder(DEMO_TREE, requested);
    expect(resolved.folder).toBe(folder);
    expect(resolved.steps).toHaveLength(steps);
  });

  test("a loop, or a target that is not a keyboard name, fails the job with the file to blame", async () => {
    const tree = join(dir, "bad-tree");
    await mkdir(join(tree, "data", "mappings"), { recursive: true });
    await mkdir(join(tree, "keyboards", "spin"), { recursive: true });
    await writeFile(
      join(tree, "data", "mappings", "keyboard_aliases.hjson"),
      '{ "a": { "target": "b" }, "b": { "target": "a" }, "evil": { "target": "../../etc" } }',
    );
    await writeFile(join(tree, "keyboards", "spin", "rules.mk"), "DEFAULT_FOLDER = spin/x\n");
    await mkdir(join(tree, "keyboards", "spin", "x"));
    await writeFile(join(tree, "keyboards", "spin", "x", "rules.mk"), "DEFAULT_FOLDER = spin\n");
    await expect(resolveKeyboardFolder(tree, "a")).rejects.toThrow(/keyboard_aliases\.hjson loops/);
    await expect(resolveKeyboardFolder(tree, "evil")).rejects.toThrow(JobFailure);
    await expect(resolveKeyboardFolder(tree, "evil")).rejects.toThrow(/not a keyboard name/);
    await expect(resolveKeyboardFolder(tree, "spin")).rejects.toThrow(/DEFAULT_FOLDER loops/);
  });
});

describe("jobs for an alias or a keyboard with revisions", () => {
  test.each([
    ["edge_duo", "LAYOUT"], // alias + DEFAULT_FOLDER + a layout alias of the parent's info.json
    ["handwired/edge_duo", "LAYOUT_ortho_2x3"],
  ])("%s (%s) builds handwired/edge_duo/rev1, named as QMK names it", async (keyboard, layout) => {
    const req = userKeymap(keyboard, layout, 6, 2, "revs");
    const job = makeJob(req, ctx.trees.current.version);
    const out = await runJob(job, ctx);
    if (out.kind !== "done") throw new Error(out.kind);
    expect(out.result.status, out.log).toBe("finished");
    expect(out.result.firmware_filename).toBe("handwired_edge_duo_rev1_revs.hex");
    expect(out.result.command).toBe("make handwired/edge_duo/rev1:revs");
    expect(out.log).toContain("DEFAULT_FOLDER: handwired/edge_duo -> handwired/edge_duo/rev1");
    const elf = await elfKeymapWords(keptElf(out), "avr");
    expect(elf.words).toEqual(
      await expectedKeymapWords(DEMO_TREE, { ...req, keyboard: "handwired/edge_duo/rev1" }),
    );
    // The source zip puts the keymap where `make handwired/edge_duo/rev1:revs` finds it.
    const zip = out.artifacts.find((a) => a.kind === "source")!.path;
    const entries = (await execa("unzip", ["-Z1", zip])).stdout.split("\n");
    expect(entries).toContain("keyboards/handwired/edge_duo/rev1/keymaps/revs/keymap.c");
    expect(entries).toContain("keyboards/handwired/edge_duo/info.json");
    expect(entries).toContain("keyboards/handwired/edge_duo/rules.mk");
    expect((await readdir(DEMO_TREE)).filter((f) => f.includes(job.id))).toEqual([]);
  });
});
