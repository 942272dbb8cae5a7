import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { BuildContext } from "../src/job/context.ts";
import { runJob } from "../src/job/run-job.ts";
import { buildContext, makeJob } from "../test-support/build-context.ts";
import { fixtureRequest, makeFixtureTree } from "../test-support/fixture-tree.ts";

// A job's artifacts are named by one rule whether it fails before its keymap is written (refused in
// "preparing") or after make ran: a keyboard with a "/" once gave `fixture-board-mine.log` to one and
// `fixture_board_mine.log` to the other.

let dir: string;
let ctx: BuildContext;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-names-"));
  const tree = await makeFixtureTree(join(dir, "tree"), "@echo the build breaks; exit 2");
  ctx = await buildContext({ workDir: join(dir, "work"), source: { kind: "path", path: tree } });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function logName(request: typeof fixtureRequest): Promise<{ name: string; output: string }> {
  const out = await runJob(makeJob(request, ctx.trees.current.version), ctx);
  if (out.kind !== "done") throw new Error(`expected a result, got ${out.kind}`);
  expect(out.result.status).toBe("failed");
  const logs = out.artifacts.filter((a) => a.kind === "log");
  expect(logs).toHaveLength(1);
  return { name: logs[0]!.filename, output: out.result.output };
}

test("a job refused before make and one make failed name their logs alike", async () => {
  const early = await logName({ ...fixtureRequest, layout: "LAYOUT_no_such_layout" });
  expect(early.output).toContain("LAYOUT_no_such_layout");
  expect(early.output).not.toContain("the build breaks");
  const late = await logName(fixtureRequest);
  expect(late.output).toContain("the build breaks");
  expect(late.output).toContain("make exited with code 2");
  expect(early.name).toBe(late.name);
  expect(late.name).toBe("fixture_board_mine.log");
});
