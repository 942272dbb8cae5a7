import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { lockWorkDir, WorkDirBusyError } from "../src/loop/work-dir.ts";

// One agent per work dir; a dead agent's lock and job leftovers do not block the next one.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-workdir-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("a second agent on the same work dir is refused while the first runs", async () => {
  const work = join(dir, "busy");
  const unlock = await lockWorkDir(work);
  await expect(lockWorkDir(work)).rejects.toThrow(WorkDirBusyError);
  await expect(lockWorkDir(work)).rejects.toThrow(`in use by another agent (pid ${process.pid})`);
  await unlock();
  const again = await lockWorkDir(work);
  await again();
});

test("a lock left by a dead agent is taken over, and its job dirs are cleared", async () => {
  const work = join(dir, "stale");
  await mkdir(join(work, "jobs", "0123"), { recursive: true });
  await writeFile(join(work, "agent.pid"), "2147483646\n");
  const unlock = await lockWorkDir(work);
  expect(await readdir(work)).toEqual(["agent.pid"]);
  await unlock();
});
