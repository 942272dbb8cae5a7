import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { CompileStatus, LeaseResponse } from "@qmk-edge/schema";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import { leaseWriteDelay, markFlush } from "../src/adapters/dispatcher/durable-object/job-table.ts";
import type { DispatcherObject } from "../src/adapters/dispatcher/durable-object/object.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { Agent, status, submit } from "../test-support/api-client.ts";
import { type Counts, countAllR2 } from "../test-support/binding-counter.worker.ts";
import { jobShardStub } from "../test-support/dispatcher-rows.worker.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// A new lease's record reaches R2 after the lease answers (job-table.ts persistLater, docs/architecture.md
// "Workers: the Dispatcher object's work per job"): the row in the object's SQLite is the truth, and a job its
// agent ends within the delay is written to R2 once, ended. What must hold meanwhile: a status read answers
// the lease from the object; a lease the agent keeps is written after the delay; one whose timer was lost (an
// evicted object) is written by the alarm, which is due within the retry time. The delay is lengthened so it
// never passes between the calls of a test on a slow machine, except where the test waits for it.

const agent = new Agent(target, "lease-write-agent");
const jobs = new BlobJobStore(new R2BlobStore(workerEnv.BUCKET));
const stub = jobShardStub;
// alarm.ts RETRY_WRITE_MS: how soon the alarm retries a row not yet in R2.
const RETRY_WRITE_MS = 10_000;

const comparable = (s: CompileStatus) => ({ ...s, age_seconds: 0 });

describe("a lease's record write to R2, after the lease", () => {
  const delays = { lease: leaseWriteDelay.ms, mark: markFlush.ms };
  const puts: Counts = {};
  let stopCounting = () => {};
  beforeEach(async () => {
    await agent.drain();
    leaseWriteDelay.ms = 600_000;
    markFlush.ms = 600_000;
    for (const key of Object.keys(puts)) delete puts[key];
    stopCounting = countAllR2(puts);
  });
  afterEach(() => {
    stopCounting();
    leaseWriteDelay.ms = delays.lease;
    markFlush.ms = delays.mark;
  });

  it("writes a job its agent ends within the delay to R2 once, ended, and answers its status from the object meanwhile", async () => {
    const id = await submit(target);
    const before = puts["r2-all.put"] ?? 0;
    const lease = (await agent.lease()) as LeaseResponse;
    expect(lease.job.id).toBe(id);
    expect(puts["r2-all.put"] ?? 0).toBe(before);
    expect((await jobs.get(id))?.status).toBe("queued");
    // R2 still holds the job as queued; the status read asks the object, which answers its row: running.
    const leased = await status(target, id);
    expect(leased).toMatchObject({ status: "running", queue_position: null, attempts: 0 });

    expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
    expect(puts["r2-all.put"]).toBe(before + 1);
    expect((await jobs.get(id))?.status).toBe("failed");
    // Nothing is left to write: the alarm's retry of unsaved rows puts nothing.
    await runDurableObjectAlarm(stub(id));
    expect(puts["r2-all.put"]).toBe(before + 1);
  });

  it("answers the same status from the object as from R2 once the record is written", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    const fromObject = await status(target, id);
    expect((await jobs.get(id))?.status).toBe("queued");
    await runDurableObjectAlarm(stub(id));
    expect((await jobs.get(id))?.status).toBe("running");
    expect(comparable(await status(target, id))).toEqual(comparable(fromObject));
    expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
  });

  it("writes a lease the agent keeps after the delay", async () => {
    leaseWriteDelay.ms = 20;
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    let stored = await jobs.get(id);
    for (let i = 0; i < 400 && stored?.status !== "running"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      stored = await jobs.get(id);
    }
    expect(stored?.status).toBe("running");
    expect(stored?.lease?.id).toBe(lease.lease_id);
    expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
  });

  it("has the alarm write a lease whose timer was lost, due within the retry time", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    const alarm = await runInDurableObject(stub(id), (_: DispatcherObject, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(Date.now() + RETRY_WRITE_MS);
    // The timer is still pending (600 s); the alarm does what it does after an eviction lost it.
    expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    const stored = await jobs.get(id);
    expect(stored?.status).toBe("running");
    expect(stored?.lease?.id).toBe(lease.lease_id);
    expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
  });
});
