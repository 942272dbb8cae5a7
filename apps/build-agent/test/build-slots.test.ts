import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileRequest } from "@qmk-edge/schema";
import { userKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { elfKeymapWords, expectedKeymapWords } from "@qmk-edge/test/support/firmware/fidelity.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BuildSlots } from "../src/build/slots.ts";
import type { BuildContext } from "../src/job/context.ts";
import { type JobOutcome, runJob } from "../src/job/run-job.ts";
import { silentLogger } from "../src/log.ts";
import { buildContext, keptElf, makeJob } from "../test-support/build-context.ts";

// A keyboard is built in one slot of the work dir, job after job: its next job recompiles only what the
// new keymap changes, and gives the bytes a fresh build gives. A slot whose build did not finish is not
// built on.

type Done = Extract<JobOutcome, { kind: "done" }>;

let dir: string;
let ctx: BuildContext;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-slots-"));
  // ccache off: make alone must keep the next job small.
  ctx = await buildContext({ workDir: join(dir, "work"), ccache: "off", keepElf: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function build(request: CompileRequest, c: BuildContext = ctx): Promise<Done> {
  const out = await runJob(makeJob(request, c.trees.current.version), c);
  if (out.kind !== "done") throw new Error(out.kind);
  expect(out.result.status, out.log).toBe("finished");
  return out;
}

const compiled = (out: Done) => out.log.split("\n").filter((l) => l.startsWith("Compiling: "));
const firmwareBytes = (out: Done) => readFile(out.artifacts.find((a) => a.kind === "firmware")!.path);

describe.each([
  ["handwired/edge_pad", "LAYOUT_ortho_4x4", 16],
  ["handwired/edge_split", "LAYOUT_split_3x5_3", 36],
])("%s", (keyboard, layout, keys) => {
  const first = userKeymap(keyboard, layout, keys, 2, "first");
  const second = userKeymap(keyboard, layout, keys, 4, "second");
  let firstOut: Done;
  let secondOut: Done;

  test("the keyboard's next job recompiles only the keymap, and holds the new keymap", async () => {
    firstOut = await build(first);
    expect(compiled(firstOut).length).toBeGreaterThan(1);
    secondOut = await build(second);
    expect(compiled(secondOut)).toHaveLength(1);
    expect(compiled(secondOut)[0]).toContain("keymap.c");
    const elf = await elfKeymapWords(keptElf(secondOut), secondOut.result.toolchain!);
    expect(elf.words).toEqual(await expectedKeymapWords(DEMO_TREE, second));
  });

  test("a job built on the slot gives the bytes of a build from nothing", async () => {
    const fresh = await buildContext({ workDir: join(dir, `fresh-${keyboard.replaceAll("/", "_")}`) });
    const clean = await build(second, fresh);
    expect(compiled(clean).length).toBeGreaterThan(1);
    expect((await firmwareBytes(clean)).equals(await firmwareBytes(secondOut))).toBe(true);
    // And the first keymap again, after the second: its own bytes, not the second's.
    const again = await build(first);
    expect((await firmwareBytes(again)).equals(await firmwareBytes(firstOut))).toBe(true);
  });
});

test("a slot whose build did not finish (the agent died in make) starts over", async () => {
  const pad = userKeymap("handwired/edge_pad", "LAYOUT_ortho_4x4", 16, 2, "crash");
  const before = await build(pad);
  const slot = join(before.buildDir!, "..");
  // What a kill in the middle of make leaves: a half-written object, and the slot still marked.
  const objDir = join(before.buildDir!, (await readdir(before.buildDir!)).find((n) => n.startsWith("obj_"))!);
  const object = join(objDir, "quantum", "action.o");
  await truncate(object, 10);
  await appendFile(object, "");
  await writeFile(join(slot, ".qmk-edge-unfinished"), "12345\n");
  const after = await build({ ...pad, layers: pad.layers.toReversed() });
  expect(compiled(after).length).toBeGreaterThan(1);
  const elf = await elfKeymapWords(keptElf(after), "avr");
  expect(elf.words).toEqual(
    await expectedKeymapWords(DEMO_TREE, { ...pad, layers: pad.layers.toReversed() }),
  );
});

describe("BuildSlots", () => {
  test("jobs of one slot take turns in call order; other slots do not wait", async () => {
    const slots = new BuildSlots();
    const events: string[] = [];
    let openA!: () => void;
    const gateA = new Promise<void>((r) => {
      openA = r;
    });
    const a = slots.withSlot("s1", async () => {
      events.push("a start");
      await gateA;
      events.push("a end");
    });
    const b = slots.withSlot("s1", async () => {
      events.push("b start");
    });
    const other = slots.withSlot("s2", async () => {
      events.push("other");
    });
    await other;
    expect(events).toEqual(["a start", "other"]);
    openA();
    await Promise.all([a, b]);
    expect(events).toEqual(["a start", "other", "a end", "b start"]);
  });

  test("past the limit the least recently used slots go, never one a job holds or waits for", async () => {
    const root = join(dir, "limit");
    const slots = new BuildSlots({ root, max: 2, log: silentLogger });
    const slot = (name: string) => join(root, "tree", name);
    const use = (name: string, during: () => Promise<void> = async () => {}) =>
      slots.withSlot(slot(name), async () => {
        await mkdir(slot(name), { recursive: true });
        await during();
      });
    await use("a");
    await use("b");
    await use("a"); // b is now the least recently used
    await use("c");
    expect((await readdir(join(root, "tree"))).sort()).toEqual(["a", "c"]);

    let openHeld!: () => void;
    const held = use("held", () => new Promise<void>((r) => (openHeld = r)));
    await new Promise((r) => setTimeout(r, 20));
    await use("d");
    await use("e");
    expect(await readdir(join(root, "tree"))).toContain("held");
    openHeld();
    await held;
    expect((await readdir(join(root, "tree"))).length).toBeLessThanOrEqual(2);
  });

  test("a turn that throws hands the slot on", async () => {
    const slots = new BuildSlots();
    const failed = slots.withSlot("s", async () => {
      throw new Error("boom");
    });
    await expect(failed).rejects.toThrow("boom");
    await expect(slots.withSlot("s", async () => "next")).resolves.toBe("next");
  });
});
