import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileRequest } from "@qmk-edge/schema";
import { defaultKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BuildContext } from "../src/job/context.ts";
import { type JobOutcome, runJob } from "../src/job/run-job.ts";
import { RETURNCODE_NOT_BUILT } from "../src/job-failure.ts";
import { buildContext, makeJob } from "../test-support/build-context.ts";

// Jobs that must end as `failed` with a message a user can act on, and leave the tree as it was.

let workDir: string;
let ctx: BuildContext;
let pad: CompileRequest; // handwired/edge_pad default: LAYOUT_ortho_4x4, 16 keys

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "qe-agent-error-"));
  ctx = await buildContext({ workDir });
  pad = await defaultKeymap("handwired/edge_pad");
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

type Done = Extract<JobOutcome, { kind: "done" }>;
async function build(request: CompileRequest, c: BuildContext = ctx): Promise<Done & { jobId: string }> {
  const job = makeJob(request, c.trees.current.version);
  const out = await runJob(job, c);
  if (out.kind !== "done") throw new Error(`expected a result, got ${out.kind}`);
  return { ...out, jobId: job.id };
}

// A keymap dir of the agent's in the tree, or make's firmware copy at its root (the job id is also
// checked, for any file named after the job).
async function treeHasTracesOf(keyboard: string, jobId: string): Promise<boolean> {
  const keymaps = await readdir(join(DEMO_TREE, "keyboards", keyboard, "keymaps")).catch((): string[] => []);
  const root = await readdir(DEMO_TREE);
  return keymaps.includes("qmk_edge") || root.some((f) => f.includes(jobId) || f.includes("qmk_edge"));
}

describe("a keymap the tree rejects", () => {
  test("a keycode the tree does not define fails before make, naming the key's path", async () => {
    const layers = pad.layers.map((l) => [...l]);
    layers[1]![5] = "KC_DOES_NOT_EXIST";
    layers[0]![2] = "LT(1, KC_NOPE)";
    const out = await build({ ...pad, keymap: "unknown_kc", layers });
    expect(out.result.status).toBe("failed");
    expect(out.result.returncode).toBe(RETURNCODE_NOT_BUILT);
    // The reason first (issue 18), then the log.
    expect(out.result.output).toMatch(/^Nothing was built: .*\n/);
    expect(out.result.output).toContain("layers.0.2: unknown keycode KC_NOPE for firmware ");
    expect(out.result.output).toContain("layers.1.5: unknown keycode KC_DOES_NOT_EXIST for firmware ");
    expect(out.result.output).not.toContain("$ make");
    expect(out.result.output).not.toContain("undeclared");
    expect(out.result.toolchain).toBeNull();
    expect(out.artifacts.map((a) => a.kind)).toEqual(["log"]);
    expect(await treeHasTracesOf(pad.keyboard, out.jobId)).toBe(false);
  });

  test("a keymap gcc rejects fails the build with the compiler's message in the log", async () => {
    // MO is defined, so the name check lets it through; its second argument is the compiler's to refuse.
    const layers = pad.layers.map((l) => [...l]);
    layers[1]![5] = "MO(1, 2)";
    const out = await build({ ...pad, keymap: "broken", layers });
    expect(out.result.status).toBe("failed");
    expect(out.result.returncode).not.toBe(0);
    expect(out.result.returncode).not.toBe(RETURNCODE_NOT_BUILT);
    expect(out.result.output).toMatch(/macro "MO" passed 2 arguments, but takes just 1/);
    // The first compiler error with its file and line comes first (issue 18), then the log.
    const [summary, blank] = out.result.output.split("\n");
    expect(summary).toMatch(/^Build failed at keymap\.c:\d+(:\d+)?: .*macro "MO" passed 2 arguments/);
    expect(blank).toBe("");
    expect(out.result.output).toContain("make exited with code");
    expect(out.result.firmware_filename).toBeNull();
    expect(out.result.toolchain).toBe("avr");
    expect(out.result.timings.compile_ms).toBeUndefined();
    // The full log goes up as an artifact too, and nothing else that would look like a firmware.
    expect(out.artifacts.map((a) => a.kind).sort()).toEqual(["keymap", "log"]);
    expect(await treeHasTracesOf(pad.keyboard, out.jobId)).toBe(false);
  });
});

describe("requests refused before make runs", () => {
  const cases: Array<[string, (r: CompileRequest) => CompileRequest, RegExp]> = [
    [
      "an unknown keyboard",
      (r) => ({ ...r, keyboard: "handwired/no_such_board" }),
      /keyboard "handwired\/no_such_board" does not exist/,
    ],
    [
      "a folder that is not a keyboard",
      (r) => ({ ...r, keyboard: "handwired" }),
      /has no keyboard\.json, info\.json or rules\.mk/,
    ],
    [
      "an unknown layout",
      (r) => ({ ...r, layout: "LAYOUT_ortho_5x5" }),
      /has no layout "LAYOUT_ortho_5x5" \(its layouts: LAYOUT_numpad_4x4, LAYOUT_ortho_4x4\)/,
    ],
    [
      "layers with the wrong key count",
      (r) => ({ ...r, layers: r.layers.map((l) => l.slice(0, 15)) }),
      /layout "LAYOUT_ortho_4x4" of keyboard "handwired\/edge_pad" has 16 keys, but layer 0 has 15, layer 1 has 15/,
    ],
    [
      "the other layout's key count",
      (r) => ({ ...r, layout: "LAYOUT_numpad_4x4" }),
      /has 14 keys, but layer 0 has 16/,
    ],
    [
      "a keycode outside the grammar",
      (r) => ({ ...r, layers: [r.layers[0]!.map((k, i) => (i === 3 ? "KC_A); evil(" : k))] }),
      /the compile request is invalid:\n\s+layers\.0\.3: invalid keycode/,
    ],
  ];
  test.each(cases)("%s fails with a clear message", async (_name, change, message) => {
    const out = await build(change(pad));
    expect(out.result.status).toBe("failed");
    expect(out.result.returncode).toBe(RETURNCODE_NOT_BUILT);
    expect(out.result.output).toMatch(message);
    expect(out.result.output.split("\n")[0]).toMatch(/^Nothing was built: /);
    expect(out.result.output).not.toContain("$ make");
    expect(out.result.timings.compile_ms).toBeUndefined();
    expect(out.artifacts.map((a) => a.kind)).toEqual(["log"]);
    expect(await treeHasTracesOf(pad.keyboard, out.jobId)).toBe(false);
  });
});

describe("jobs this agent cannot build go back to the API", () => {
  test("another firmware version is released, not failed", async () => {
    const job = makeJob(pad, "some-other-version");
    const out = await runJob(job, ctx);
    expect(out).toEqual({
      kind: "release",
      reason: `this agent builds firmware ${ctx.trees.current.version}, not some-other-version`,
    });
  });

  test("a keyboard needing a toolchain the agent lacks is released", async () => {
    const split = await defaultKeymap("handwired/edge_split");
    const job = makeJob(split, ctx.trees.current.version);
    const out = await runJob(job, { ...ctx, toolchains: ["avr"] });
    expect(out).toEqual({ kind: "release", reason: "this agent has no arm toolchain" });
    expect(await treeHasTracesOf(split.keyboard, job.id)).toBe(false);
  });
});
