import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import type { JobRecord } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import type { DispatcherObject } from "../src/adapters/dispatcher/durable-object/object.ts";
import { DEAD_LETTER_QUEUE, JOB_QUEUE } from "../src/adapters/dispatcher/durable-object/queue-consumer.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import worker from "../src/workers/main.ts";
import { Agent, expectError, status, submit } from "../test-support/api-client.ts";
import { compileJobRecord } from "../test-support/compile-job-record.ts";
import { jobShardStub } from "../test-support/dispatcher-rows.worker.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

const agent = new Agent(target, "do-agent");
const jobs = new BlobJobStore(new R2BlobStore(workerEnv.BUCKET));
// The Dispatcher object (shard) that holds a job.
const stub = jobShardStub;

// A job whose record is in R2 but which the Dispatcher object has never seen, as after a failed direct hand-over.
async function recordOnly(): Promise<JobRecord> {
  const record = await compileJobRecord(target);
  await jobs.put(record);
  return record;
}

async function deliver(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, workerEnv);
  return getQueueResult(batch, ctx);
}

describe("the Queue consumer", () => {
  beforeEach(() => agent.drain());

  it("hands { job_id } messages to the Dispatcher object, which then leases them", async () => {
    const record = await recordOnly();
    expect(await agent.lease()).toBeNull();
    const result = await deliver(JOB_QUEUE, [{ job_id: record.id }]);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    expect(result.retryMessages).toEqual([]);
    const lease = await agent.lease();
    expect(lease?.job.id).toBe(record.id);
    if (lease) await agent.complete(lease, { status: "failed" });
  });

  it("treats a redelivery as a no-op (the job is leased once)", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    const result = await deliver(JOB_QUEUE, [{ job_id: id }, { job_id: id }]);
    expect(result.explicitAcks).toEqual(["msg-0", "msg-1"]);
    expect(await agent.lease()).toBeNull();
    expect((await status(target, id)).status).toBe("running");
    expect((await agent.complete(lease, { status: "failed" })).status).toBe(200);
  });

  it("acknowledges messages that are not { job_id } instead of retrying them forever", async () => {
    const result = await deliver(JOB_QUEUE, [{ nope: 1 }, "text", { job_id: "../../../x" }]);
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1", "msg-2"]);
  });

  it("dead-letter queue: a job the queue gave up on ends failed with a reason", async () => {
    const lost = await recordOnly();
    const result = await deliver(DEAD_LETTER_QUEUE, [{ job_id: lost.id }]);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    const failed = await status(target, lost.id);
    expect(failed).toMatchObject({ status: "failed", is_failed: true });
    expect(failed.failure_reason).toMatch(/queue/);
  });

  it("dead-letter queue: a job the Dispatcher object did receive is left alone", async () => {
    const id = await submit(target);
    await deliver(DEAD_LETTER_QUEUE, [{ job_id: id }]);
    expect((await status(target, id)).status).toBe("queued");
  });
});

describe("the Dispatcher object's alarm", () => {
  beforeEach(() => agent.drain());

  it("fires no later than the earliest lease expiry, and returns expired leases to the queue", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    const alarm = () =>
      runInDurableObject(stub(id), (_: DispatcherObject, state) => state.storage.getAlarm());
    // An alarm already set earlier (an earlier test's lease) is left alone (alarm.ts AlarmSchedule).
    expect(await alarm()).not.toBeNull();
    expect(await alarm()).toBeLessThanOrEqual(Date.parse(lease.lease_expires_at));

    // The alarm fires before the lease ends: nothing changes, and it is set to the earliest lease expiry.
    expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    expect((await status(target, id)).status).toBe("running");
    expect(await alarm()).toBe(Date.parse(lease.lease_expires_at));

    // Pretend the lease ended long ago, then let the alarm run.
    await runInDurableObject(stub(id), (_: DispatcherObject, state) => {
      state.storage.sql.exec("UPDATE jobs SET lease_expires_at = 1 WHERE id = ?", id);
    });
    expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    expect(await status(target, id)).toMatchObject({ status: "queued", attempts: 1 });
  });

  it("keeps ended jobs only while a repeated completion may come", async () => {
    const id = await submit(target);
    const { lease } = await agent.build(id);
    const rows = () =>
      runInDurableObject(
        stub(id),
        (_: DispatcherObject, state) =>
          state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE id = ?", id).one().n,
      );
    expect(await rows()).toBe(1);
    await runInDurableObject(stub(id), (_: DispatcherObject, state) => {
      state.storage.sql.exec("UPDATE jobs SET finished_at = 1 WHERE id = ?", id);
    });
    await runDurableObjectAlarm(stub(id));
    expect(await rows()).toBe(0);
    // Still idempotent from the R2 record alone.
    expect(await (await agent.complete(lease)).json()).toEqual({ id, status: "finished" });
  });
});

describe("a stored record that fails its schema", () => {
  beforeEach(() => agent.drain());

  it("in R2: the job fails with a reason naming the damage (issue 19), never a 4xx or a 500 forever", async () => {
    const id = await submit(target);
    await workerEnv.BUCKET.put(`jobs/${id}.json`, JSON.stringify({ id, status: "queued" }));
    const res = await target.fetch(`/v1/compile/${id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; failure_reason: string };
    expect(body.status).toBe("failed");
    expect(body.failure_reason).toMatch(/damaged/);
    expect(await (await workerEnv.BUCKET.get(`damaged/jobs/${id}.json`))?.text()).toBe(
      JSON.stringify({ id, status: "queued" }),
    );
  });

  it("in the Dispatcher object's row: the agent's call answers 500, not 4xx", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    await runInDurableObject(stub(id), (_: DispatcherObject, state) => {
      state.storage.sql.exec(`UPDATE jobs SET record = '{"id":"x"}' WHERE id = ?`, id);
    });
    await expectError(await agent.heartbeat(lease), 500);
  });
});
