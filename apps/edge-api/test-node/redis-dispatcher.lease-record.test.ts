// A lease's running record on Redis waits in the lease row and reaches the store LEASE_RECORD_DELAY_MS later
// (adapters/dispatcher/redis/lease-grant.ts, lease-records.ts), or never when the agent ends the job first;
// meanwhile every reader and every transition acts on the lease's record, in this process or another, and a
// process that dies before the write loses nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobRecord, LeaseHolder, LeaseResponse } from "@qmk-edge/schema";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { RedisDispatcher } from "../src/adapters/dispatcher/redis/dispatcher.ts";
import { LEASE_RECORD_DELAY_MS } from "../src/adapters/dispatcher/redis/lease-grant.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { LeaseLostError } from "../src/jobs/errors.ts";
import { newId } from "../src/jobs/job-id.ts";
import { leasePolicy } from "../src/jobs/lease.ts";
import { demoJobRecord, failedCompletion, leaseRequest } from "../test-support/dispatcher-fixtures.ts";

const redisUrl = inject("redisUrl");
const dir = mkdtempSync(join(tmpdir(), "qmk-edge-lease-record-"));
const jobs = new BlobJobStore(new FsBlobStore(dir));
const open: RedisDispatcher[] = [];
const admin = new Redis(redisUrl);
const fleet: LeaseHolder = { token_id: "fleet", trust: "trusted" };

afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await admin.quit();
  rmSync(dir, { recursive: true, force: true });
});

// Several dispatchers on one prefix are several API processes on one Redis.
function processes(n: number, leaseSeconds = 60): RedisDispatcher[] {
  const prefix = `lr-${newId().slice(0, 10)}:`;
  return Array.from({ length: n }, () => {
    const d = new RedisDispatcher({ redisUrl, jobs, prefix, lease: leasePolicy(leaseSeconds) });
    open.push(d);
    return d;
  });
}

async function submit(d: RedisDispatcher, maxAttempts = 3): Promise<JobRecord> {
  const record = demoJobRecord({ keymap: `lr_${newId().slice(0, 8)}`, maxAttempts });
  await jobs.put(record);
  await d.enqueue(record);
  return record;
}

// The record as a status read shows it (routes/v1_compile_status.ts): a queued one through queueView.
async function shown(
  d: RedisDispatcher,
  id: string,
): Promise<{ record: JobRecord; position: number | null }> {
  const stored = (await jobs.get(id))!;
  if (stored.status !== "queued") return { record: stored, position: null };
  const view = await d.queueView(stored);
  return { record: view.record, position: view.queuePosition };
}

const prefixOf = (d: RedisDispatcher) => (d as unknown as { prefix: string }).prefix;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();
const due = () => at(LEASE_RECORD_DELAY_MS + 1_000);
const agent = leaseRequest;

describe("RedisDispatcher: a lease's record reaches the store later", () => {
  it("shows the lease's running record at once and writes it to the store once it is due", async () => {
    const [d] = processes(1);
    const job = await submit(d!);
    const lease = (await d!.lease(agent("a1"), fleet))!;
    expect((await jobs.get(job.id))?.status).toBe("queued");
    expect(await admin.zcard(`${prefixOf(d!)}unsaved`)).toBe(1);
    const view = await shown(d!, job.id);
    expect(view.position).toBeNull();
    expect(view.record).toMatchObject({ status: "running", lease: { id: lease.lease_id, agent_id: "a1" } });
    expect(view.record.lease?.expires_at).toBe(lease.lease_expires_at);

    expect(await d!.saveLeaseRecords(new Date().toISOString())).toBe(0);
    expect(await d!.saveLeaseRecords(due())).toBe(1);
    // The store now holds exactly what the status read showed, and nothing is written twice.
    expect(await jobs.get(job.id)).toEqual(view.record);
    expect(await d!.saveLeaseRecords(due())).toBe(0);
  });

  it("writes nothing for a lease the agent completed first: the completion is the store's one overwrite", async () => {
    const [d] = processes(1);
    const job = await submit(d!);
    const lease = (await d!.lease(agent("a1"), fleet))!;
    const done = await d!.complete(job.id, failedCompletion(lease), fleet);
    expect(done).toMatchObject({ status: "failed", lease: { id: lease.lease_id } });
    expect(done.started_at).not.toBeNull();
    expect(done.history.map((h) => h.status)).toEqual(["queued", "running", "failed"]);
    // Settling the lease took the job off the writer's list in the same script: no pass looks at it again.
    expect(await admin.zcard(`${prefixOf(d!)}unsaved`)).toBe(0);
    expect(await d!.saveLeaseRecords(due())).toBe(0);
    expect((await jobs.get(job.id))?.status).toBe("failed");
  });

  it("lets the agent heartbeat, check and release a lease whose record is not in the store yet", async () => {
    const [d] = processes(1);
    const job = await submit(d!);
    const lease = (await d!.lease(agent("a1"), fleet))!;
    await d!.checkLease(job.id, lease.lease_id, fleet);
    await expect(d!.checkLease(job.id, newId(), fleet)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(
      d!.checkLease(job.id, lease.lease_id, { token_id: "other", trust: "trusted" }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await d!.release(job.id, { lease_id: lease.lease_id, reason: "shutting down" }, fleet);
    // Queued again, no attempt counted, with a position; the old grant shows nothing any more.
    const view = await shown(d!, job.id);
    expect(view.record).toMatchObject({ status: "queued", attempts: 0, lease: null });
    expect(view.position).toBe(0);
    expect(await d!.saveLeaseRecords(due())).toBe(0);

    const again = (await d!.lease(agent("a2"), fleet))!;
    const beat = await d!.heartbeat(job.id, { lease_id: again.lease_id, stage: "compiling" }, fleet);
    expect(await jobs.get(job.id)).toMatchObject({
      status: "running",
      stage: "compiling",
      lease: { id: again.lease_id, expires_at: beat.lease_expires_at },
    });
    // The heartbeat wrote the record: the writer only drops the job from its list.
    expect(await d!.saveLeaseRecords(due())).toBe(0);
  });

  it("never fails a leased job as queued with no agent while its record waits", async () => {
    const [d] = processes(1);
    const job = await submit(d!);
    const lease = (await d!.lease(agent("a1"), fleet))!;
    const after = await d!.failQueued(job.id, "no build agent");
    expect(after).toMatchObject({ status: "running", lease: { id: lease.lease_id } });
    expect((await jobs.get(job.id))?.status).toBe("queued");
    await d!.complete(job.id, failedCompletion(lease), fleet);
  });

  it("expires a lease whose record never reached the store, counting the attempt", async () => {
    const [d] = processes(1, 10);
    const job = await submit(d!, 2);
    await d!.lease(agent("a1"), fleet);
    expect(await d!.reapExpiredLeases(at(60_000))).toBe(1);
    expect(await jobs.get(job.id)).toMatchObject({ status: "queued", attempts: 1, lease: null });
    expect(await d!.saveLeaseRecords(due())).toBe(0);
    expect((await d!.lease(agent("a2"), fleet))?.job).toMatchObject({ id: job.id, attempts: 1 });
  });

  it("loses nothing when the process that leased dies before the write: another writes it and serves the agent", async () => {
    const [leaser, survivor] = processes(2);
    const jobsLeased: (LeaseResponse & { id: string; leaseId: string })[] = [];
    for (let i = 0; i < 3; i++) {
      const job = await submit(leaser!);
      const lease = (await leaser!.lease(agent(`a${i}`), fleet))!;
      expect(lease.job.id).toBe(job.id);
      jobsLeased.push({ ...lease, id: job.id, leaseId: lease.lease_id });
    }
    // The leasing process is gone (its timers and connection with it); the store still holds queued records.
    await leaser!.close();
    for (const { id } of jobsLeased) expect((await jobs.get(id))?.status).toBe("queued");

    const [first, second, third] = jobsLeased;
    // A status read through the other process shows the lease.
    expect((await shown(survivor!, first!.id)).record.lease?.id).toBe(first!.leaseId);
    // The agent's calls go on through the other process.
    await survivor!.heartbeat(first!.id, { lease_id: first!.leaseId, stage: "compiling" }, fleet);
    expect(await jobs.get(first!.id)).toMatchObject({ status: "running", stage: "compiling" });
    // The other process's writer writes what the dead one left unwritten.
    expect(await survivor!.saveLeaseRecords(due())).toBe(2);
    expect(await jobs.get(second!.id)).toMatchObject({ status: "running", lease: { id: second!.leaseId } });
    const done = await survivor!.complete(third!.id, failedCompletion(third!), fleet);
    expect(done.status).toBe("failed");
  });
});
