import { access, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runJob } from "../src/job/run-job.ts";
import { buildContext, makeJob } from "../test-support/build-context.ts";
import { FIXTURE_KEYBOARD, fixtureRequest, makeFixtureTree } from "../test-support/fixture-tree.ts";

// A build that never ends: the job fails at the timeout, make's whole group is gone, the tree is clean
// and the build slot is emptied.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-timeout-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("a hanging build is killed at the timeout and the job fails saying so", async () => {
  const tree = await makeFixtureTree(join(dir, "tree"), "@echo compiling forever; sleep 600");
  const ctx = await buildContext({
    workDir: join(dir, "work"),
    source: { kind: "path", path: tree },
    timeoutMs: 1000,
  });
  const job = makeJob(fixtureRequest, ctx.trees.current.version);
  const out = await runJob(job, ctx);
  if (out.kind !== "done") throw new Error(out.kind);
  expect(out.result.status).toBe("failed");
  expect(out.result.returncode).not.toBe(0);
  expect(out.result.output).toContain("compiling forever");
  expect(out.result.output).toContain("error: the build took longer than 1s and was stopped");
  expect(await readdir(join(tree, "keyboards", FIXTURE_KEYBOARD))).toEqual(["keyboard.json"]);
  // Nothing of the killed build is kept for the keyboard's next job to build on.
  expect(out.buildDir).not.toBeNull();
  await expect(access(out.buildDir!)).rejects.toThrow();
});
