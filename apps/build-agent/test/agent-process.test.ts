import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { DEMO_TREE, defaultKeymap } from "./helpers/demo-tree.ts";
import { FakeApi } from "./helpers/fake-api.ts";
import { fixtureRequest, HANG_ON_KC_Z, makeFixtureTree } from "./helpers/fixture-tree.ts";

// qmk-edge-agent as a process: its log formats, and SIGTERM ending in exit 0 with running work released.

const MAIN = resolve(import.meta.dirname, "../src/main.ts");
let dir: string;
let api: FakeApi;
let child: ResultPromise | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-proc-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  child?.kill("SIGKILL");
  await child?.catch(() => {});
  child = null;
  await api?.close();
});

function spawnAgent(tree: string, extra: string[]): ResultPromise {
  child = execa(
    process.execPath,
    [
      MAIN,
      "--api",
      api.url,
      "--tree",
      tree,
      "--work-dir",
      join(dir, `work-${Date.now()}`),
      "--lease-wait",
      "1s",
      ...extra,
    ],
    { env: { QMK_EDGE_AGENT_TOKEN: api.token }, reject: false, all: true },
  );
  return child;
}

test("SIGTERM stops leasing, releases the job still building after the grace period, and exits 0", async () => {
  api = await new FakeApi().start();
  const tree = await makeFixtureTree(join(dir, "fixture"), HANG_ON_KC_Z);
  const id = api.enqueue({ ...fixtureRequest, layers: [["KC_Z", "KC_A"]] }, "fixture-1");
  const agent = spawnAgent(tree, ["--shutdown-grace", "500ms", "--log-format", "json"]);
  await expect
    .poll(() => readdir(tree).then((f) => f.includes(`qe_${id}.pid`)), { timeout: 60_000 })
    .toBe(true);
  agent.kill("SIGTERM");
  const res = await agent;
  expect(res.exitCode).toBe(0);
  const j = api.jobs.get(id)!;
  expect(j.release?.reason).toBe("agent shutting down");
  expect(j.complete).toBeNull();

  // Every line is a JSON object with time, level and msg; the job's lines carry its id.
  const lines = String(res.stderr)
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  for (const l of lines)
    expect(l).toMatchObject({ time: expect.any(String), level: expect.any(String), msg: expect.any(String) });
  expect(lines.some((l) => l.msg === "leased" && l.job === id)).toBe(true);
  expect(lines.some((l) => /releasing the job/.test(l.msg) && l.job === id)).toBe(true);
  expect(lines.at(-1).msg).toBe("agent stopped");
  const pid = Number((await readFile(join(tree, `qe_${id}.pid`), "utf8")).trim());
  await expect
    .poll(async () => (await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "1 (x) Z")).split(" ")[2])
    .toMatch(/[ZX]/);
});

test("human logs: a line per stage with its duration; SIGINT after the job exits 0", async () => {
  api = await new FakeApi().start();
  const id = api.enqueue(await defaultKeymap("handwired/edge_pad"), "demo-1");
  const agent = spawnAgent(DEMO_TREE, []);
  await api.until(() => !!api.jobs.get(id)!.complete, "complete");
  agent.kill("SIGINT");
  const res = await agent;
  expect(res.exitCode).toBe(0);
  const log = String(res.stderr);
  for (const stage of ["preparing", "compiling", "packaging", "uploading"]) {
    expect(log).toMatch(new RegExp(`info  job ${id.slice(0, 8)} ${stage}: done in \\d+(\\.\\d)?(ms|s)`));
  }
  expect(log).toMatch(new RegExp(`job ${id.slice(0, 8)} finished in`));
  expect(log).toContain("shutting down: no new jobs");
});
