import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firmwareFileName } from "@qmk-edge/schema";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { AgentLoop } from "../src/agent-loop.ts";
import { ApiClient } from "../src/api-client.ts";
import type { BuildContext } from "../src/job-runner.ts";
import { silentLogger } from "../src/log.ts";
import { buildContext, defaultKeymap, userKeymap } from "./helpers/demo-tree.ts";
import { FakeApi } from "./helpers/fake-api.ts";
import { FIXTURE_KEYBOARD, fixtureRequest, HANG_ON_KC_Z, makeFixtureTree } from "./helpers/fixture-tree.ts";

// The loop against a scripted API on loopback: lease -> build -> upload -> complete, lost leases,
// releases and shutdown. Builds are real.

let dir: string;
let api: FakeApi;
let demo: BuildContext;
let fixture: BuildContext;
let fixtureTree: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-loop-"));
  demo = await buildContext({ workDir: join(dir, "demo-work") });
  fixtureTree = await makeFixtureTree(join(dir, "fixture"), HANG_ON_KC_Z);
  fixture = await buildContext({
    workDir: join(dir, "fixture-work"),
    source: { kind: "path", path: fixtureTree },
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
let loops: Array<{ loop: AgentLoop; done: Promise<number> }> = [];
afterEach(async () => {
  for (const l of loops) l.loop.shutdown("test over");
  for (const l of loops) l.loop.shutdown("test over");
  await Promise.all(loops.map((l) => l.done));
  loops = [];
  await api?.close();
});

async function startLoop(
  build: BuildContext,
  over: { concurrency?: number; shutdownGraceMs?: number; token?: string } = {},
) {
  api = await new FakeApi().start();
  const loop = new AgentLoop({
    api: new ApiClient({
      baseUrl: api.url,
      token: over.token ?? api.token,
      log: silentLogger,
      retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 10 },
    }),
    build,
    agentId: "test-agent",
    toolchains: build.toolchains ?? ["avr", "arm"],
    concurrency: over.concurrency ?? 2,
    leaseWaitMs: 200,
    shutdownGraceMs: over.shutdownGraceMs ?? 60_000,
    log: silentLogger,
    releasePauseMs: 10,
    heartbeatMaxIntervalMs: 200,
  });
  const done = loop.run();
  loops.push({ loop, done });
  return { loop, done };
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const alive = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && !/^\d+ \(.*\) [ZX]/.test(stat);
};
const pidOf = async (km: string) => Number((await readFile(join(fixtureTree, `${km}.pid`), "utf8")).trim());

describe("the agent loop with a working API", () => {
  test("builds leased jobs, uploads every artifact with its sha256, and completes them", async () => {
    await startLoop(demo);
    const pad = await defaultKeymap("handwired/edge_pad");
    const split = userKeymap("handwired/edge_split", "LAYOUT", 36, 2, "mine");
    const ids = [api.enqueue(pad, "demo-1"), api.enqueue(split, "demo-1")];
    await api.until(() => ids.every((id) => api.jobs.get(id)!.complete), "both jobs complete");

    expect(api.leaseRequests[0]).toMatchObject({
      agent_id: "test-agent",
      firmware_version: "demo-1",
      wait_ms: 200,
    });
    for (const [i, id] of ids.entries()) {
      const j = api.jobs.get(id)!;
      const req = i === 0 ? pad : split;
      const toolchain = i === 0 ? "avr" : "arm";
      expect(j.state).toBe("finished");
      expect(j.complete).toMatchObject({
        status: "finished",
        returncode: 0,
        command: `make ${req.keyboard}:${req.keymap}`,
        firmware_filename: firmwareFileName(req, toolchain),
        toolchain,
      });
      expect(Object.keys(j.complete!.timings).sort()).toEqual([
        "compile_ms",
        "package_ms",
        "prepare_ms",
        "upload_ms",
      ]);
      expect(Object.keys(j.artifacts).sort()).toEqual(["firmware", "keymap", "log", "source"]);
      for (const a of Object.values(j.artifacts)) expect(a!.sha256).toBe(sha256(a!.body));
      expect(j.artifacts.firmware!.filename).toBe(firmwareFileName(req, toolchain));
      expect(j.artifacts.log!.body.toString()).toContain("make exited with 0");
      const order = ["preparing", "compiling", "packaging", "uploading"];
      expect(j.stages.map((s) => order.indexOf(s))).toEqual(
        [...j.stages.map((s) => order.indexOf(s))].sort(),
      );
    }
    // Nothing of the jobs is left in the work dir once they are delivered.
    await api.until(() => true);
    await expect.poll(async () => readdir(join(demo.workDir, "jobs")).catch(() => [])).toEqual([]);
  });

  test("a failed build is completed as failed with the compiler's message and its log uploaded", async () => {
    await startLoop(demo);
    const pad = await defaultKeymap("handwired/edge_pad");
    pad.layers[0]![0] = "KC_DOES_NOT_EXIST";
    const id = api.enqueue(pad, "demo-1");
    await api.until(() => !!api.jobs.get(id)!.complete, "complete");
    const j = api.jobs.get(id)!;
    expect(j.complete).toMatchObject({ status: "failed", firmware_filename: null, toolchain: "avr" });
    expect(j.complete!.returncode).not.toBe(0);
    expect(j.complete!.output).toMatch(/'KC_DOES_NOT_EXIST' undeclared/);
    expect(j.artifacts.firmware).toBeUndefined();
    expect(j.artifacts.log!.body.toString()).toMatch(/'KC_DOES_NOT_EXIST' undeclared/);
  });

  test("5xx answers during upload and complete are retried and the job still finishes", async () => {
    await startLoop(demo);
    let failures = 0;
    api.override = (req, path) =>
      (req.method === "PUT" || path.endsWith("/complete")) && failures++ % 2 === 0
        ? { status: 503 }
        : undefined;
    const id = api.enqueue(await defaultKeymap("handwired/edge_pad"), "demo-1");
    await api.until(() => !!api.jobs.get(id)!.complete, "complete");
    expect(api.jobs.get(id)!.complete!.status).toBe("finished");
    expect(failures).toBeGreaterThanOrEqual(10);
  });
});

describe("lost leases", () => {
  test("a 409 heartbeat stops the build, kills make and never completes the job; the loop goes on", async () => {
    await startLoop(fixture);
    const hanging = { ...fixtureRequest, keymap: "hang", layers: [["KC_Z", "KC_A"]] };
    const id = api.enqueue(hanging, "fixture-1");
    // Once make is running, the API forgets the lease: the next heartbeat gets 409.
    await expect
      .poll(() => readdir(fixtureTree).then((f) => f.includes(`qe_${id}.pid`)), { timeout: 30_000 })
      .toBe(true);
    const pid = await pidOf(`qe_${id}`);
    expect(await alive(pid)).toBe(true);
    api.loseLeaseOf = id;
    await expect.poll(() => alive(pid), { timeout: 30_000 }).toBe(false);
    await expect
      .poll(async () => readdir(join(fixtureTree, "keyboards", FIXTURE_KEYBOARD, "keymaps")).catch(() => []))
      .toEqual([]);
    const j = api.jobs.get(id)!;
    expect(j.complete).toBeNull();
    expect(j.release).toBeNull();

    const next = api.enqueue({ ...fixtureRequest, keymap: "quick" }, "fixture-1");
    await api.until(() => !!api.jobs.get(next)!.complete, "the next job");
    expect(api.jobs.get(next)!.complete!.status).toBe("finished");
  });

  test("a 409 on upload abandons the job without completing it", async () => {
    await startLoop(demo);
    api.override = (req) => (req.method === "PUT" ? { status: 409 } : undefined);
    const id = api.enqueue(await defaultKeymap("handwired/edge_pad"), "demo-1");
    await api.until(() => api.log.includes(`PUT /v1/agent/jobs/${id}/artifacts/firmware`), "an upload");
    await expect.poll(async () => readdir(join(demo.workDir, "jobs")).catch(() => [])).toEqual([]);
    expect(
      api.log.filter((l) => l.includes(id) && (l.endsWith("/complete") || l.endsWith("/release"))),
    ).toEqual([]);
  });
});

describe("jobs the agent cannot build, a bad token, and shutdown", () => {
  test("a job for another firmware version is released and the loop carries on", async () => {
    await startLoop(demo);
    const other = api.enqueue(await defaultKeymap("handwired/edge_pad"), "demo-99");
    const mine = api.enqueue(await defaultKeymap("handwired/edge_pad"), "demo-1");
    await api.until(
      () => !!api.jobs.get(mine)!.complete && !!api.jobs.get(other)!.release,
      "release + complete",
    );
    expect(api.jobs.get(other)!.release!.reason).toBe("this agent builds firmware demo-1, not demo-99");
    expect(api.jobs.get(other)!.complete).toBeNull();
  });

  test("a lease answer the agent cannot read does not stop it", async () => {
    await startLoop(demo);
    let garbled = 0;
    api.override = (_req, path) =>
      path === "/v1/agent/lease" && garbled++ < 2 ? { status: 200, body: { job: { id: "??" } } } : undefined;
    const id = api.enqueue(await defaultKeymap("handwired/edge_pad"), "demo-1");
    await api.until(() => !!api.jobs.get(id)!.complete, "complete");
    expect(garbled).toBeGreaterThanOrEqual(2);
  });

  test("a rejected token stops the loop with exit code 1", async () => {
    const { done } = await startLoop(demo, { token: "wrong" });
    expect(await done).toBe(1);
  });

  test("shutdown lets a running job finish within the grace period, then exits 0", async () => {
    const { loop, done } = await startLoop(demo);
    const id = api.enqueue(await defaultKeymap("handwired/edge_split"), "demo-1");
    await api.until(() => api.jobs.get(id)!.stages.length > 0, "the job's first heartbeat");
    loop.shutdown("SIGTERM");
    expect(await done).toBe(0);
    expect(api.jobs.get(id)!.complete?.status).toBe("finished");
    const leases = api.log.filter((l) => l === "POST /v1/agent/lease").length;
    api.enqueue(await defaultKeymap("handwired/edge_pad"), "demo-1");
    expect(api.log.filter((l) => l === "POST /v1/agent/lease").length).toBe(leases);
  });

  test("after the grace period running jobs are stopped and released", async () => {
    const { loop, done } = await startLoop(fixture, { shutdownGraceMs: 200 });
    const id = api.enqueue({ ...fixtureRequest, keymap: "hang2", layers: [["KC_Z", "KC_Z"]] }, "fixture-1");
    await api.until(() => api.jobs.get(id)!.stages.includes("compiling"), "compiling");
    await expect.poll(() => readdir(fixtureTree).then((f) => f.includes(`qe_${id}.pid`))).toBe(true);
    const pid = await pidOf(`qe_${id}`);
    loop.shutdown("SIGTERM");
    expect(await done).toBe(0);
    const j = api.jobs.get(id)!;
    expect(j.release).toEqual({ lease_id: j.leaseId, reason: "agent shutting down" });
    expect(j.complete).toBeNull();
    await expect.poll(() => alive(pid), { timeout: 30_000 }).toBe(false);
  });
});
