// RedisDispatcher against a real redis-server: leases, heartbeats, completion, expiry, concurrency, and
// several dispatchers (API processes) sharing one Redis. Each test gets its own key prefix.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobRecord, LeaseHolder, LeaseResponse } from "@qmk-edge/schema";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { RedisDispatcher } from "../src/adapters/dispatcher/redis/dispatcher.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { LeaseLostError, NotFoundError, StateConflictError } from "../src/jobs/errors.ts";
import { newId } from "../src/jobs/job-id.ts";
import { leasePolicy } from "../src/jobs/lease.ts";
import { demoJobRecord, failedCompletion, leaseRequest } from "../test-support/dispatcher-fixtures.ts";

const redisUrl = inject("redisUrl");
const dir = mkdtempSync(join(tmpdir(), "qmk-edge-dispatch-"));
const blobs = new FsBlobStore(dir);
const jobs = new BlobJobStore(blobs);
const open: RedisDispatcher[] = [];
const admin = new Redis(redisUrl);

afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await admin.quit();
  rmSync(dir, { recursive: true, force: true });
});

// Several dispatchers on one prefix are several API processes on one Redis.
function processes(
  n: number,
  options: { leaseSeconds?: number; orphanGraceMs?: number } = {},
): RedisDispatcher[] {
  const prefix = `d-${newId().slice(0, 10)}:`;
  return Array.from({ length: n }, () => {
    const d = new RedisDispatcher({
      redisUrl,
      jobs,
      prefix,
      lease: leasePolicy(options.leaseSeconds ?? 60, { orphanGraceMs: options.orphanGraceMs }),
    });
    open.push(d);
    return d;
  });
}

let counter = 0;
async function submit(
  dispatcher: RedisDispatcher,
  options: { maxAttempts?: number; version?: string; keyboard?: string; enqueue?: boolean } = {},
): Promise<JobRecord> {
  counter++;
  const record = demoJobRecord({ ...options, keymap: `k${counter}` });
  await jobs.put(record);
  if (options.enqueue !== false) await dispatcher.enqueue(record);
  return record;
}

// The record as a status read shows it (routes/v1_compile_status.ts): a queued one through queueView.
async function shown(d: RedisDispatcher, id: string): Promise<JobRecord> {
  const stored = (await jobs.get(id))!;
  return stored.status === "queued" ? (await d.queueView(stored)).record : stored;
}

const agent = leaseRequest;
const finish = failedCompletion;

// The token every lease in these tests is granted to.
const fleet: LeaseHolder = { token_id: "fleet", trust: "trusted" };

// What completing as finished needs besides the firmware.
async function attachSourceAndLog(d: RedisDispatcher, jobId: string, lease: LeaseResponse): Promise<void> {
  for (const kind of ["source", "log"] as const) {
    const sha256 = (kind === "source" ? "0a" : "0b").repeat(32);
    const ref = { key: `artifacts/${sha256}`, sha256, size: 1, filename: `${kind}.x`, content_type: "x/y" };
    await d.attachArtifact(jobId, lease.lease_id, fleet, kind, ref);
  }
}

const later = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

describe("RedisDispatcher: one job through its life", () => {
  it("leases the oldest job first, records heartbeats and stages, completes once", async () => {
    const [d] = processes(1);
    const first = await submit(d!);
    const second = await submit(d!);
    expect(await d!.queuePosition(first.id)).toBe(0);
    expect(await d!.queuePosition(second.id)).toBe(1);
    expect(await d!.stats(60, "demo-1")).toMatchObject({ queued: 2, running: 0, agentsSeen: 0 });

    const lease = await d!.lease(agent("a1"), fleet);
    expect(lease?.job.id).toBe(first.id);
    expect(lease?.lease_id).toMatch(/^[0-9a-f]{32}$/);
    expect(await d!.queuePosition(first.id)).toBeNull();
    expect(await d!.queuePosition(second.id)).toBe(0);
    expect(await d!.stats(60, "demo-1")).toMatchObject({ queued: 1, running: 1, agentsSeen: 1 });
    expect((await shown(d!, first.id)).status).toBe("running");

    const beat = await d!.heartbeat(first.id, { lease_id: lease!.lease_id, stage: "compiling" }, fleet);
    expect(Date.parse(beat.lease_expires_at)).toBeGreaterThanOrEqual(Date.parse(lease!.lease_expires_at));
    expect((await jobs.get(first.id))?.stage).toBe("compiling");

    await d!.checkLease(first.id, lease!.lease_id, fleet);
    const done = await d!.complete(first.id, finish(lease!), fleet);
    expect(done.status).toBe("failed");
    // The same completion again answers the same record; the lease is gone for everything else.
    expect((await d!.complete(first.id, finish(lease!), fleet)).finished_at).toBe(done.finished_at);
    await expect(
      d!.heartbeat(first.id, { lease_id: lease!.lease_id, stage: "packaging" }, fleet),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await d!.stats(60, "demo-1")).toMatchObject({ queued: 1, running: 0 });
  });

  it("attaches artifacts and refuses to finish without firmware, source and log of this lease", async () => {
    const [d] = processes(1);
    const job = await submit(d!);
    const lease = (await d!.lease(agent("a1"), fleet))!;
    await expect(
      d!.complete(job.id, { ...finish(lease), status: "finished", returncode: 0 }, fleet),
    ).rejects.toBeInstanceOf(StateConflictError);
    const ref = {
      key: `artifacts/${"ab".repeat(32)}`,
      sha256: "ab".repeat(32),
      size: 3,
      filename: "x.hex",
      content_type: "application/octet-stream",
    };
    await d!.attachArtifact(job.id, lease.lease_id, fleet, "firmware", ref);
    await expect(
      d!.complete(job.id, { ...finish(lease), status: "finished", returncode: 0 }, fleet),
    ).rejects.toThrow(/source, log/);
    await attachSourceAndLog(d!, job.id, lease);
    const done = await d!.complete(
      job.id,
      {
        ...finish(lease),
        status: "finished",
        returncode: 0,
        toolchain: "avr",
      },
      fleet,
    );
    expect(done.status).toBe("finished");
    expect(done.artifacts.firmware).toEqual({ ...ref, lease_id: lease.lease_id });
    expect((await jobs.getCache(job.content_key))?.job_id).toBe(job.id);
  });

  it("refuses stale and unknown leases, and unknown jobs", async () => {
    const [d] = processes(1);
    const job = await submit(d!);
    const lease = (await d!.lease(agent("a1"), fleet))!;
    const stale = { ...lease, lease_id: newId() };
    await expect(d!.checkLease(job.id, stale.lease_id, fleet)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(
      d!.heartbeat(job.id, { lease_id: stale.lease_id, stage: "compiling" }, fleet),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(d!.complete(job.id, finish(stale), fleet)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(d!.release(job.id, { lease_id: stale.lease_id, reason: "x" }, fleet)).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    const nobody = newId();
    await expect(
      d!.heartbeat(nobody, { lease_id: lease.lease_id, stage: "compiling" }, fleet),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(d!.checkLease(nobody, lease.lease_id, fleet)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("fails a job whose record fails its schema (issue 19): the agent's lease ends, the damage is kept", async () => {
    const [d] = processes(1);
    const job = await submit(d!);
    const lease = (await d!.lease(agent("a1"), fleet))!;
    const damaged = JSON.stringify({ id: job.id, status: "running" });
    await blobs.put(`jobs/${job.id}.json`, damaged, { contentType: "application/json" });
    await expect(
      d!.heartbeat(job.id, { lease_id: lease.lease_id, stage: "compiling" }, fleet),
    ).rejects.toBeInstanceOf(LeaseLostError);
    const failed = await jobs.get(job.id);
    expect(failed?.status).toBe("failed");
    expect(failed?.failure_reason).toMatch(/damaged/);
    expect(await new Response((await blobs.get(`damaged/jobs/${job.id}.json`))!.body).text()).toBe(damaged);
  });

  it("puts a released job back in the queue without counting an attempt", async () => {
    const [d] = processes(1);
    const job = await submit(d!);
    const lease = (await d!.lease(agent("a1"), fleet))!;
    await d!.release(job.id, { lease_id: lease.lease_id, reason: "shutting down" }, fleet);
    expect(await d!.queuePosition(job.id)).toBe(0);
    const again = (await d!.lease(agent("a2"), fleet))!;
    expect(again.job.id).toBe(job.id);
    expect(again.job.attempts).toBe(0);
    expect(again.lease_id).not.toBe(lease.lease_id);
  });

  it("enqueues a job only once however often enqueue is called", async () => {
    const [d] = processes(1);
    const job = await submit(d!);
    await d!.enqueue(job);
    await d!.enqueue(job);
    expect(await d!.stats(60, "demo-1")).toMatchObject({ queued: 1 });
    expect((await d!.lease(agent("a1"), fleet))?.job.id).toBe(job.id);
    expect(await d!.lease(agent("a2"), fleet)).toBeNull();
  });
});

describe("RedisDispatcher: who gets which job", () => {
  it("hands a job only to agents of its firmware version", async () => {
    const [d] = processes(1);
    const job = await submit(d!, { version: "v2" });
    expect(await d!.lease(agent("a1"), fleet)).toBeNull();
    expect((await d!.lease(agent("a2", { firmware_version: "v2" }), fleet))?.job.id).toBe(job.id);
  });

  it("keeps a keyboard's jobs from agents without its toolchain once a build has shown which it needs", async () => {
    const [d] = processes(1);
    const armBoard = "handwired/arm_board";
    const first = await submit(d!, { keyboard: armBoard });
    const lease = (await d!.lease(agent("a1"), fleet))!;
    const ref = {
      key: "artifacts/x",
      sha256: "cd".repeat(32),
      size: 1,
      filename: "f.bin",
      content_type: "x/y",
    };
    await d!.attachArtifact(first.id, lease.lease_id, fleet, "firmware", ref);
    await attachSourceAndLog(d!, first.id, lease);
    await d!.complete(
      first.id,
      { ...finish(lease), status: "finished", returncode: 0, toolchain: "arm" },
      fleet,
    );

    const next = await submit(d!, { keyboard: armBoard });
    expect(await d!.lease(agent("avr-only", { toolchains: ["avr"] }), fleet)).toBeNull();
    expect((await d!.lease(agent("arm-one", { toolchains: ["arm"] }), fleet))?.job.id).toBe(next.id);
  });

  it("gives each of 30 jobs to exactly one of 10 agents leasing at once, across 3 API processes", async () => {
    const dispatchers = processes(3);
    const submitted = new Set<string>();
    for (let i = 0; i < 30; i++) submitted.add((await submit(dispatchers[i % 3]!)).id);
    const leased: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, a) => {
        const d = dispatchers[a % 3]!;
        for (;;) {
          const lease = await d.lease(agent(`agent-${a}`, { wait_ms: 200 }), fleet);
          if (!lease) return;
          leased.push(lease.job.id);
        }
      }),
    );
    expect(leased.length).toBe(30);
    expect(new Set(leased)).toEqual(submitted);
  });

  it("never leases one job twice, even when the stream holds a duplicate entry for it", async () => {
    const [a, b] = processes(2);
    const job = await submit(a!);
    const prefix = (a as unknown as { prefix: string }).prefix;
    await admin.xadd(`${prefix}stream:demo-1:any`, "*", "job", job.id);
    const leases = await Promise.all([a!.lease(agent("one"), fleet), b!.lease(agent("two"), fleet)]);
    expect(leases.filter((l) => l?.job.id === job.id)).toHaveLength(1);
    expect(leases.filter((l) => l === null)).toHaveLength(1);
    expect(await a!.lease(agent("three"), fleet)).toBeNull();
  });

  it("wakes a long-polling agent as soon as a job arrives through another process", async () => {
    const [a, b] = processes(2);
    const started = Date.now();
    const waiting = a!.lease(agent("poller", { wait_ms: 10_000 }), fleet);
    await new Promise((r) => setTimeout(r, 300));
    const job = await submit(b!);
    const lease = await waiting;
    expect(lease?.job.id).toBe(job.id);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("leases both of two jobs that arrive in two lanes at once while an agent waits", async () => {
    const [d] = processes(1);
    const prefix = (d as unknown as { prefix: string }).prefix;
    // Two queued records, written to two lanes in one transaction so a single wake-up sees both.
    const records = [await submit(d!, { enqueue: false }), await submit(d!, { enqueue: false })];
    const waiting = d!.lease(agent("waiter", { wait_ms: 5_000 }), fleet);
    await new Promise((r) => setTimeout(r, 200));
    const now = Date.now();
    await admin
      .multi()
      .xadd(`${prefix}stream:demo-1:any`, "*", "job", records[0]!.id)
      .xadd(`${prefix}stream:demo-1:avr`, "*", "job", records[1]!.id)
      .zadd(`${prefix}waiting`, 1, records[0]!.id, 2, records[1]!.id)
      .zadd(`${prefix}waiting-since`, now, records[0]!.id, now, records[1]!.id)
      .exec();
    const first = await waiting;
    expect(first).not.toBeNull();
    const other = records.find((r) => r.id !== first!.job.id)!;
    expect((await d!.lease(agent("second"), fleet))?.job.id).toBe(other.id);
  });

  it("ends a long poll when its request is aborted, leaving later jobs for others", async () => {
    const [d] = processes(1);
    const controller = new AbortController();
    const started = Date.now();
    const waiting = d!.lease(agent("gone", { wait_ms: 20_000 }), fleet, controller.signal);
    setTimeout(() => controller.abort(), 200);
    expect(await waiting).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
    const job = await submit(d!);
    expect((await d!.lease(agent("other"), fleet))?.job.id).toBe(job.id);
  });

  it("returns null after wait_ms when nothing arrives", async () => {
    const [d] = processes(1);
    const started = Date.now();
    expect(await d!.lease(agent("idle", { wait_ms: 400 }), fleet)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });
});

describe("RedisDispatcher: Redis losing its data", () => {
  it("creates its consumer groups again instead of failing every lease", async () => {
    const [d] = processes(1);
    await submit(d!);
    expect(await d!.lease(agent("a1"), fleet)).not.toBeNull();
    const prefix = (d as unknown as { prefix: string }).prefix;
    const keys = await admin.keys(`${prefix}*`);
    await admin.del(...keys);
    expect(await d!.lease(agent("a1", { wait_ms: 300 }), fleet)).toBeNull();
    const job = await submit(d!);
    expect((await d!.lease(agent("a1", { wait_ms: 300 }), fleet))?.job.id).toBe(job.id);
  });
});

describe("RedisDispatcher: expiry", () => {
  it("re-queues an expired lease with attempts + 1, then fails the job after the last attempt", async () => {
    const [d] = processes(1);
    const job = await submit(d!, { maxAttempts: 2 });
    const first = (await d!.lease(agent("a1"), fleet))!;
    expect(await d!.reapExpiredLeases(new Date().toISOString())).toBe(0);
    expect(await d!.reapExpiredLeases(later(120))).toBe(1);
    const record = (await jobs.get(job.id))!;
    expect(record).toMatchObject({ status: "queued", attempts: 1, lease: null });
    await expect(
      d!.heartbeat(job.id, { lease_id: first.lease_id, stage: "compiling" }, fleet),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(d!.complete(job.id, finish(first), fleet)).rejects.toBeInstanceOf(LeaseLostError);

    const second = (await d!.lease(agent("a2"), fleet))!;
    expect(second.job).toMatchObject({ id: job.id, attempts: 1 });
    expect(await d!.reapExpiredLeases(later(120))).toBe(1);
    const failed = (await jobs.get(job.id))!;
    expect(failed.status).toBe("failed");
    expect(failed.attempts).toBe(2);
    expect(failed.failure_reason).toMatch(/lease expired 2 time/);
    expect(await d!.lease(agent("a3"), fleet)).toBeNull();
    expect(await d!.stats(60, "demo-1")).toMatchObject({ queued: 0, running: 0 });
  });

  it("keeps a lease alive while heartbeats come", async () => {
    const [d] = processes(1, { leaseSeconds: 10 });
    const job = await submit(d!);
    const lease = (await d!.lease(agent("a1"), fleet))!;
    const beat = await d!.heartbeat(job.id, { lease_id: lease.lease_id, stage: "compiling" }, fleet);
    const justBefore = new Date(Date.parse(beat.lease_expires_at) - 1).toISOString();
    expect(await d!.reapExpiredLeases(justBefore)).toBe(0);
    expect((await jobs.get(job.id))?.status).toBe("running");
  });

  it("is safe with two processes reaping the same leases at once", async () => {
    const [a, b] = processes(2);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await submit(a!)).id);
    for (let i = 0; i < 5; i++) await a!.lease(agent(`x${i}`), fleet);
    const [ra, rb] = await Promise.all([a!.reapExpiredLeases(later(120)), b!.reapExpiredLeases(later(120))]);
    expect(ra + rb).toBe(5);
    for (const id of ids) expect((await jobs.get(id))?.attempts).toBe(1);
    expect(await a!.stats(60, "demo-1")).toMatchObject({ queued: 5, running: 0 });
  });

  it("takes back an entry delivered to a process that died before recording the lease", async () => {
    const [d] = processes(1, { leaseSeconds: 1, orphanGraceMs: 0 });
    const job = await submit(d!);
    const prefix = (d as unknown as { prefix: string }).prefix;
    // What a crash right after XREADGROUP leaves behind: a pending entry, no lease, the record still queued.
    const stream = `${prefix}stream:demo-1:any`;
    const reply = await admin.xreadgroup("GROUP", "agents", "crashed", "COUNT", 1, "STREAMS", stream, ">");
    expect(reply).not.toBeNull();
    expect(await d!.lease(agent("a1"), fleet)).toBeNull();
    await new Promise((r) => setTimeout(r, 1_100));
    await d!.reapExpiredLeases(new Date().toISOString());
    expect((await d!.lease(agent("a1"), fleet))?.job.id).toBe(job.id);
  });
});
