import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { type CompileRequest, firmwareFileName, leaseResponse } from "@qmk-edge/schema";
import { fetchBytes, getStatus, submit, waitForEnd } from "@qmk-edge/test/support/compile-client.ts";
import type { Exchange, FaultProxy } from "@qmk-edge/test/support/fault-proxy.ts";
import { defaultKeymap, userKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { slowDemoTree } from "@qmk-edge/test/support/firmware/slow-tree.ts";
import { type ProxiedApi, startProxiedApi } from "@qmk-edge/test/support/proxied-api.ts";
import { type EdgeApi, LOCAL_AGENT_TOKEN } from "@qmk-edge/test/support/system.ts";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { ApiClient } from "../src/api/client.ts";
import type { BuildContext } from "../src/job/context.ts";
import { silentLogger } from "../src/log.ts";
import { AgentLoop } from "../src/loop/agent-loop.ts";
import { buildContext } from "../test-support/build-context.ts";
import { groupsAlive, runningBuild } from "../test-support/build-processes.ts";
import { drainQueue } from "../test-support/queue-drain.ts";

// The loop against the real edge API in workerd, through a fault-injecting proxy: lease -> build -> upload
// -> complete, 5xx storms, leases the API really expires, releases and shutdown. Builds are real; the slow
// tree's make sleeps first, so a build is surely running when a test interrupts it.

// Short leases so the API expires one within seconds of its heartbeats being held back.
const LEASE_SECONDS = 3;
const LEASE_WAIT_MS = 250;
// A long-poll the agent gave up on still claims a job that arrives before its wait_ms is over (wrangler dev
// does not tell the Worker that the client hung up), and that lease must then expire. Tests that stop a loop
// let such polls run out before they submit again.
const pollsRunOut = () => new Promise((r) => setTimeout(r, LEASE_WAIT_MS + 250));

let dir: string;
let api: EdgeApi;
let proxy: FaultProxy;
let demo: BuildContext;
let slow: BuildContext;
let system: ProxiedApi;

beforeAll(async () => {
  system = await startProxiedApi("agent-loop", { LEASE_SECONDS: String(LEASE_SECONDS) });
  ({ api, proxy, dir } = system);
  const slowTree = slowDemoTree(join(dir, "slow-tree"), 30);
  [demo, slow] = await Promise.all([
    buildContext({ workDir: join(dir, "demo-work") }),
    buildContext({ workDir: join(dir, "slow-work"), source: { kind: "path", path: slowTree } }),
  ]);
});
afterAll(async () => system?.stop());

let loops: Array<{ loop: AgentLoop; done: Promise<number> }> = [];
afterEach(async () => {
  // Twice: stop leasing, then stop waiting for running jobs (they are released).
  for (const l of loops) l.loop.shutdown("test over");
  for (const l of loops) l.loop.shutdown("test over");
  await Promise.all(loops.map((l) => l.done));
  if (loops.length > 0) await pollsRunOut();
  loops = [];
  proxy.clearFaults();
  proxy.log.splice(0);
  await drainQueue(api.url);
});

function startLoop(
  build: BuildContext,
  over: { concurrency?: number; shutdownGraceMs?: number; token?: string } = {},
) {
  const loop = new AgentLoop({
    api: new ApiClient({
      baseUrl: proxy.url,
      token: over.token ?? LOCAL_AGENT_TOKEN,
      log: silentLogger,
      retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 10 },
    }),
    build,
    agentId: "test-agent",
    toolchains: build.toolchains ?? ["avr", "arm"],
    concurrency: over.concurrency ?? 2,
    leaseWaitMs: LEASE_WAIT_MS,
    shutdownGraceMs: over.shutdownGraceMs ?? 60_000,
    log: silentLogger,
    releasePauseMs: 10,
    heartbeatMaxIntervalMs: 200,
    random: () => 0,
  });
  const done = loop.run();
  loops.push({ loop, done });
  return { loop, done };
}

const pad = async (keymap: string): Promise<CompileRequest> => ({
  ...(await defaultKeymap("handwired/edge_pad")),
  keymap,
});
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const json = (b: Buffer) => JSON.parse(b.toString("utf8"));
const jobPath = (id: string, rest: string) => `/v1/agent/jobs/${id}/${rest}`;
const artifactPaths = (id: string) => new RegExp(`^/v1/agent/jobs/${id}/artifacts/`);

// The lease ids the API handed out for a job, in order, as the agent received them.
const leasesOf = (id: string): string[] =>
  proxy
    .exchanges({ method: "POST", path: "/v1/agent/lease" })
    .filter((ex) => ex.done && ex.status === 200 && ex.fault === null)
    .map((ex) => leaseResponse.safeParse(json(ex.responseBody)))
    .filter((r) => r.success && r.data.job.id === id)
    .map((r) => r.data!.lease_id);

// What went through the proxy for a job, one line per exchange: for failure messages.
const trail = (id: string) =>
  proxy.log
    .filter((ex) => ex.path.includes(id) || ex.responseBody.includes(id))
    .map(
      (ex) => `${ex.method} ${ex.path.replace(`/${id}`, "/<job>")} -> ${ex.status ?? "-"} ${ex.fault ?? ""}`,
    )
    .join("\n");

// Every request the agent made on the job's behalf with this lease id (header or JSON body).
const usesOf = (leaseId: string): Exchange[] =>
  proxy
    .exchanges({ path: /^\/v1\/agent\/jobs\// })
    .filter(
      (ex) =>
        ex.requestHeaders["x-lease-id"] === leaseId ||
        (ex.method === "POST" && ex.requestBody.toString("utf8").includes(`"lease_id":"${leaseId}"`)),
    );

describe("the agent loop with a working API", () => {
  test("builds leased jobs, uploads every artifact with its sha256, and completes them", async () => {
    const requests = [
      await pad("loop_pad"),
      userKeymap("handwired/edge_split", "LAYOUT", 36, 2, "loop_split"),
    ] as const;
    const ids = await Promise.all(requests.map((r) => submit(api.url, r)));
    startLoop(demo);
    const ends = await Promise.all(ids.map((id) => waitForEnd(api.url, id)));

    expect(json(proxy.exchanges({ path: "/v1/agent/lease" })[0]!.requestBody)).toMatchObject({
      agent_id: "test-agent",
      firmware_version: "demo-1",
      wait_ms: LEASE_WAIT_MS,
    });
    for (const [i, id] of ids.entries()) {
      const req = requests[i]!;
      const toolchain = i === 0 ? "avr" : "arm";
      const end = ends[i]!;
      expect(end.status, JSON.stringify(end)).toBe("finished");
      expect(end.attempts).toBe(0);
      expect(end.result).toMatchObject({
        returncode: 0,
        command: `make ${req.keyboard}:${req.keymap}`,
        firmware_filename: firmwareFileName(req, toolchain),
      });
      const completes = await proxy.settled({ method: "POST", path: jobPath(id, "complete") });
      expect(completes.map((ex) => ex.status)).toEqual([200]);
      const complete = json(completes[0]!.requestBody);
      expect(complete).toMatchObject({ status: "finished", toolchain });
      expect(Object.keys(complete.timings).sort()).toEqual([
        "compile_ms",
        "package_ms",
        "prepare_ms",
        "upload_ms",
      ]);

      // Each artifact went up once, was accepted (the API checks length and sha256), and downloads as sent.
      // (The shared tree zip has its own test below.)
      const uploads = (await proxy.settled({ method: "PUT", path: artifactPaths(id) })).filter(
        (ex) => !ex.path.endsWith("/tree"),
      );
      expect(uploads.map((ex) => ex.path.split("/").at(-1)).sort()).toEqual([
        "firmware",
        "keymap",
        "log",
        "source",
      ]);
      expect(uploads.every((ex) => ex.status === 200)).toBe(true);
      const firmwareUpload = uploads.find((ex) => ex.path.endsWith("/firmware"))!;
      const firmware = await fetchBytes(end.result!.firmware_binary_url[0]!);
      expect(sha256(firmware.bytes)).toBe(firmwareUpload.requestHeaders["x-artifact-sha256"]);
      expect(firmwareUpload.requestHeaders["x-artifact-filename"]).toBe(firmwareFileName(req, toolchain));
      const log = await fetchBytes(`${api.url}/v1/compile/${id}/log`);
      expect(log.bytes.toString()).toContain("make exited with 0");

      // Heartbeats told the API each stage, in order.
      const order = ["preparing", "compiling", "packaging", "uploading"];
      const stages = (await proxy.settled({ method: "POST", path: jobPath(id, "heartbeat") })).map((ex) =>
        order.indexOf(json(ex.requestBody).stage),
      );
      expect(stages).toContain(order.indexOf("compiling"));
      expect(stages).toEqual([...stages].sort());
    }
    // Nothing of the jobs is left in the work dir once they are delivered.
    await expect.poll(async () => readdir(join(demo.workDir, "jobs")).catch(() => [])).toEqual([]);
  });

  test("the tree zip is uploaded by the first job of a version only; later jobs link it, all download it", async () => {
    // A fresh work dir and tree copy: a version whose tree zip the API has never seen.
    const tree = slowDemoTree(join(dir, "tree-once"), 0);
    const ctx = await buildContext({
      workDir: join(dir, "tree-once-work"),
      source: { kind: "path", path: tree },
    });
    const archive = await ctx.archives.get(ctx.trees.current);
    const ids: string[] = [];
    startLoop(ctx, { concurrency: 1 });
    for (const keymap of ["tree_first", "tree_second", "tree_third"]) {
      const id = await submit(api.url, await pad(keymap));
      expect((await waitForEnd(api.url, id)).status).toBe("finished");
      ids.push(id);
    }
    const treePuts = ids.flatMap((id) =>
      proxy.exchanges({ method: "PUT", path: jobPath(id, "artifacts/tree") }),
    );
    expect(treePuts.map((ex) => [ex.path, ex.status])).toEqual([[jobPath(ids[0]!, "artifacts/tree"), 200]]);
    const links = ids.map((id) =>
      proxy.exchanges({ method: "POST", path: jobPath(id, "artifacts/tree/link") }).map((ex) => ex.status),
    );
    expect(links).toEqual([[404], [200], [200]]);
    for (const id of ids) {
      const end = await getStatus(api.url, id);
      expect(end.result?.source_tree_url).toEqual([`${api.url}/v1/compile/${id}/tree`]);
      const got = await fetchBytes(end.result!.source_tree_url![0]!);
      expect(sha256(got.bytes)).toBe(archive.sha256);
    }
  });

  test("a failed build is completed as failed with the compiler's message and its log uploaded", async () => {
    const broken = await pad("loop_broken");
    broken.layers[0]![0] = "MO(1, 2)"; // a name the tree defines, called wrongly: gcc's to refuse
    const id = await submit(api.url, broken);
    startLoop(demo);
    const end = await waitForEnd(api.url, id);
    expect(end.status).toBe("failed");
    expect(end.result!.firmware_filename).toBeNull();
    expect(end.result!.returncode).not.toBe(0);
    expect(end.result!.output).toMatch(/macro "MO" passed 2 arguments/);
    expect(json((await proxy.settled({ path: jobPath(id, "complete") }))[0]!.requestBody)).toMatchObject({
      status: "failed",
      toolchain: "avr",
    });
    expect(proxy.exchanges({ method: "PUT", path: jobPath(id, "artifacts/firmware") })).toEqual([]);
    expect(end.result!.firmware_binary_url).toEqual([]);
    expect((await fetch(`${api.url}/v1/compile/${id}/download`)).status).toBe(404);
    const log = await fetchBytes(`${api.url}/v1/compile/${id}/log`);
    expect(log.bytes.toString()).toMatch(/macro "MO" passed 2 arguments/);
  });

  test("5xx answers and dropped connections are retried and the job still finishes", async () => {
    const id = await submit(api.url, await pad("loop_storm"));
    // Each call is tried 5 times: at most 4 of a call's tries may fail.
    const storm = [
      proxy.fail({ method: "POST", path: "/v1/agent/lease" }, { status: 503, times: 4 }),
      proxy.fail({ method: "POST", path: jobPath(id, "heartbeat") }, { status: 500, times: 4 }),
      proxy.fail({ method: "PUT", path: artifactPaths(id) }, { status: 503, times: 3 }),
      proxy.reset({ method: "PUT", path: jobPath(id, "artifacts/firmware") }, { times: 1 }),
      proxy.fail({ method: "POST", path: jobPath(id, "complete") }, { status: 502, times: 4 }),
    ];
    startLoop(demo);
    const end = await waitForEnd(api.url, id);
    expect(end.status, trail(id)).toBe("finished");
    expect(end.attempts, trail(id)).toBe(0);
    expect(storm.map((f) => f.hits)).toEqual([4, 4, 3, 1, 4]);
    expect((await proxy.settled({ path: jobPath(id, "complete") })).map((ex) => ex.status)).toEqual([
      502, 502, 502, 502, 200,
    ]);
  });
});

describe("lost leases", () => {
  test("a 409 heartbeat stops the build, kills make and never completes the job; the loop goes on", async () => {
    const id = await submit(api.url, await pad("loop_lost"));
    // The job's heartbeats stall on the way: the API hears nothing and expires the lease.
    const stall = proxy.partition({ method: "POST", path: jobPath(id, "heartbeat") });
    startLoop(slow, { concurrency: 1 });
    const groups = await runningBuild(id);
    await expect
      .poll(async () => (({ status, attempts }) => ({ status, attempts }))(await getStatus(api.url, id)), {
        timeout: 30_000,
        interval: 100,
      })
      .toEqual({ status: "queued", attempts: 1 });
    expect(stall.hits).toBeGreaterThan(0);
    expect(await groupsAlive(groups)).toBe(true);
    const [lost] = leasesOf(id);

    // The stalled heartbeat now reaches the API, which answers 409: the lease is gone.
    stall.clear();
    await proxy.until(
      () => proxy.exchanges({ path: jobPath(id, "heartbeat") }).some((ex) => ex.status === 409),
      "a 409 heartbeat",
    );
    await expect.poll(() => groupsAlive(groups), { timeout: 30_000 }).toBe(false);
    // The loop goes on: it leases again, and gets the job back under a new lease.
    await proxy.until(() => leasesOf(id).length === 2, "the job leased again");
    expect(leasesOf(id)[1]).not.toBe(lost);
    // The lost lease was only ever used to heartbeat: never to upload, complete or release.
    expect(usesOf(lost!).length).toBeGreaterThan(0);
    expect(usesOf(lost!).filter((ex) => !ex.path.endsWith("/heartbeat"))).toEqual([]);
  });

  test("a 409 on upload abandons the job without completing it", async () => {
    const id = await submit(api.url, await pad("loop_upload_409"));
    const stall = proxy.partition({ method: "POST", path: jobPath(id, "heartbeat") });
    const uploads = proxy.partition({ method: "PUT", path: artifactPaths(id) });
    startLoop(demo, { concurrency: 1 });
    await proxy.until(() => uploads.hits > 0, "an upload");
    await expect
      .poll(async () => (({ status, attempts }) => ({ status, attempts }))(await getStatus(api.url, id)), {
        timeout: 30_000,
        interval: 100,
      })
      .toEqual({ status: "queued", attempts: 1 });
    const [lost] = leasesOf(id);

    // The uploads reach the API after the lease expired: 409.
    uploads.clear();
    await proxy.until(
      () => proxy.exchanges({ method: "PUT", path: artifactPaths(id) }).some((ex) => ex.status === 409),
      "a 409 upload",
    );
    stall.clear();
    // Leased again, built again, completed once: by the new lease.
    const end = await waitForEnd(api.url, id);
    expect(end.status).toBe("finished");
    expect(end.attempts).toBe(1);
    const completes = await proxy.settled({ path: jobPath(id, "complete") });
    expect(completes).toHaveLength(1);
    expect(json(completes[0]!.requestBody).lease_id).not.toBe(lost);
    expect(usesOf(lost!).filter((ex) => /\/(complete|release)$/.test(ex.path))).toEqual([]);
  });
});

describe("jobs the agent cannot build, a bad token, and shutdown", () => {
  test("a job for another firmware version is released and the loop carries on", async () => {
    const id = await submit(api.url, await pad("loop_other_version"));
    // The API only leases a version to agents announcing it; the proxy makes the answer name another.
    const retag = proxy.replace(
      { method: "POST", path: "/v1/agent/lease" },
      {
        times: 1,
        answer: (upstream) => {
          const lease = upstream.status === 200 ? json(upstream.body) : null;
          if (lease?.job.id !== id) return undefined;
          return { body: { ...lease, job: { ...lease.job, firmware_version: "demo-99" } } };
        },
      },
    );
    startLoop(demo);
    const end = await waitForEnd(api.url, id);
    expect(retag.hits).toBe(1);
    const releases = await proxy.settled({ path: jobPath(id, "release") });
    expect(
      releases.map((ex) => ex.status),
      trail(id),
    ).toEqual([204]);
    const release = json(releases[0]!.requestBody);
    expect(release.reason).toBe("this agent builds firmware demo-1, not demo-99");
    // Released, not failed: no attempt counted, and the next lease built it.
    expect(end.status).toBe("finished");
    expect(end.attempts, trail(id)).toBe(0);
    const completes = await proxy.settled({ path: jobPath(id, "complete") });
    expect(completes, trail(id)).toHaveLength(1);
    expect(json(completes[0]!.requestBody).lease_id).not.toBe(release.lease_id);
  });

  test("a lease answer the agent cannot read does not stop it", async () => {
    const id = await submit(api.url, await pad("loop_garbled"));
    const garble = proxy.replace(
      { method: "POST", path: "/v1/agent/lease" },
      { times: 2, answer: { status: 200, body: { job: { id: "??" } } } },
    );
    startLoop(demo);
    const end = await waitForEnd(api.url, id);
    expect(garble.hits).toBe(2);
    expect(end.status).toBe("finished");
    // The first garbled answer hid a real lease of the job, which nobody held: it expired once.
    expect(end.attempts, trail(id)).toBe(1);
  });

  test("a rejected token stops the loop with exit code 1", async () => {
    const { done } = startLoop(demo, { token: "not-the-agent-token-0123456789" });
    expect(await done).toBe(1);
    expect(proxy.exchanges({ path: "/v1/agent/lease" }).at(-1)!.status).toBe(401);
  });

  test("shutdown lets a running job finish within the grace period, then exits 0", async () => {
    const id = await submit(api.url, userKeymap("handwired/edge_split", "LAYOUT", 36, 3, "loop_grace"));
    const { loop, done } = startLoop(demo);
    await proxy.until(
      () => proxy.exchanges({ path: jobPath(id, "heartbeat") }).some((ex) => ex.status === 200),
      "the job's first heartbeat",
    );
    const atShutdown = proxy.log.length;
    loop.shutdown("SIGTERM");
    expect(await done).toBe(0);
    const end = await getStatus(api.url, id);
    expect(end.status).toBe("finished");
    expect(proxy.log.slice(atShutdown).some((ex) => ex.path === jobPath(id, "complete"))).toBe(true);

    // No lease requests after the loop stopped: a new job stays queued.
    const leases = proxy.exchanges({ path: "/v1/agent/lease" }).length;
    await pollsRunOut();
    const next = await submit(api.url, await pad("loop_after_shutdown"));
    await pollsRunOut();
    expect(proxy.exchanges({ path: "/v1/agent/lease" }).length).toBe(leases);
    expect((await getStatus(api.url, next)).status).toBe("queued");
  });

  test("after the grace period running jobs are stopped and released", async () => {
    const id = await submit(api.url, await pad("loop_released"));
    // One slot, busy: no lease poll is open at shutdown to claim the job straight back (see pollsRunOut).
    const { loop, done } = startLoop(slow, { concurrency: 1, shutdownGraceMs: 200 });
    const groups = await runningBuild(id);
    loop.shutdown("SIGTERM");
    expect(await done).toBe(0);
    const [leaseId] = leasesOf(id);
    const releases = proxy.exchanges({ path: jobPath(id, "release") });
    expect(releases.map((ex) => ex.status)).toEqual([204]);
    expect(json(releases[0]!.requestBody)).toEqual({ lease_id: leaseId, reason: "agent shutting down" });
    expect(proxy.exchanges({ path: jobPath(id, "complete") })).toEqual([]);
    // Back in the queue for another agent, without an attempt counted.
    const status = await getStatus(api.url, id);
    expect({ status: status.status, attempts: status.attempts }).toEqual({ status: "queued", attempts: 0 });
    await expect.poll(() => groupsAlive(groups), { timeout: 30_000 }).toBe(false);
  });
});
