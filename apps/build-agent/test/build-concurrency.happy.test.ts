import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { userKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import {
  elfKeymapWords,
  expectedKeymapWords,
  firmwareImage,
} from "@qmk-edge/test/support/firmware/fidelity.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { BuildContext } from "../src/job/context.ts";
import { runJob } from "../src/job/run-job.ts";
import { buildContext, keptElf, makeJob } from "../test-support/build-context.ts";

// Two jobs of one keyboard at the same time, in one warm tree: they take turns in the keyboard's build
// slot (one keymap dir, one build dir), so each firmware holds its own keymap.

let workDir: string;
let ctx: BuildContext;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "qe-agent-parallel-"));
  ctx = await buildContext({ workDir, keepElf: true });
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

test.each([
  ["handwired/edge_pad", "LAYOUT_ortho_4x4", 16],
  ["handwired/edge_split", "LAYOUT_split_3x5_3", 36],
])("two jobs of %s in parallel do not clobber each other", async (keyboard, layout, keys) => {
  // Same keymap name on purpose: the user-facing names collide, the jobs must not.
  const a = userKeymap(keyboard, layout, keys, 2, "same");
  const b = {
    ...userKeymap(keyboard, layout, keys, 3, "same"),
    layers: userKeymap(keyboard, layout, keys, 3).layers.reverse(),
  };
  const jobs = [makeJob(a, ctx.trees.current.version), makeJob(b, ctx.trees.current.version)];
  const outs = await Promise.all(jobs.map((j) => runJob(j, ctx)));

  const images: Buffer[] = [];
  for (const [i, out] of outs.entries()) {
    if (out.kind !== "done") throw new Error(out.kind);
    expect(out.result.status, out.log).toBe("finished");
    const req = i === 0 ? a : b;
    const toolchain = out.result.toolchain!;
    const elf = await elfKeymapWords(keptElf(out), toolchain);
    expect(elf.words).toEqual(await expectedKeymapWords(DEMO_TREE, req));
    const firmware = out.artifacts.find((x) => x.kind === "firmware")!;
    const image = await firmwareImage(firmware.path);
    expect(image.indexOf(elf.bytes)).toBeGreaterThanOrEqual(0);
    images.push(await readFile(firmware.path));
  }
  expect(images[0]!.equals(images[1]!)).toBe(false);
});
