// The store is the truth on Workers too (issue 19): jobs R2 holds as queued or running that the Dispatcher
// object lost are queued again (or their leases restored) by the Worker's Cron Trigger, exactly once, and an
// agent then builds each of them once.
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  evictDurableObject,
  getQueueResult,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import type { CompileEnqueued, JobQueueMessage, LeaseResponse, ServiceStatus } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import type { DispatcherRpc } from "../src/adapters/dispatcher/durable-object/interface.ts";
import { leaseWriteDelay } from "../src/adapters/dispatcher/durable-object/job-table.ts";
import type { DispatcherObject } from "../src/adapters/dispatcher/durable-object/object.ts";
import { JOB_QUEUE } from "../src/adapters/dispatcher/durable-object/queue-consumer.ts";
import { DurableObjectQueueRepair } from "../src/adapters/dispatcher/durable-object/queue-repair.ts";
import { shardOfJob, shardStub } from "../src/adapters/dispatcher/durable-object/shards.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import type { Env } from "../src/workers/env.ts";
import worker from "../src/workers/main.ts";
import { reconcileOnSchedule } from "../src/workers/reconcile.ts";
import { Agent, compileBody, json, randomBytes, status } from "../test-support/api-client.ts";
import { compileJobRecord } from "../test-support/compile-job-record.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

const jobs = new BlobJobStore(new R2BlobStore(workerEnv.BUCKET));
const shardZero = shardStub(workerEnv.DISPATCHER, 0);
// One client address per POST: the rate limit (5 a minute here) is not what these tests are about.
let clients = 0;

// POST /v1/compile as deployed, except that the Queue's { job_id } messages are held here and then delivered
// to the real consumer at once, so none can arrive after the Dispatcher object lost its state (in production
// the Queue delivered them long before): what re-queues a job below is the reconciler and nothing else.
async function submitDelivered(count: number): Promise<string[]> {
  const held: JobQueueMessage[] = [];
  const queue = { send: async (body: JobQueueMessage) => void held.push(body) } as unknown as Env["JOBS"];
  const env = { ...workerEnv, JOBS: queue };
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const request = new Request("http://qmk-edge.test/v1/compile", json(compileBody()));
    request.headers.set("cf-connecting-ip", `198.51.100.${++clients}`);
    const res = await worker.fetch(
      request as Request<unknown, IncomingRequestCfProperties>,
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
    ids.push(((await res.json()) as CompileEnqueued).job_id);
  }
  const batch = createMessageBatch(
    JOB_QUEUE,
    held.map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, workerEnv);
  expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(count);
  return ids;
}

// The Dispatcher object loses everything it stored (jobs, leases, agents, its alarm's bookkeeping) and
// starts again from an empty storage.
async function loseDispatcherStorage(): Promise<void> {
  await runInDurableObject(shardZero, async (_: DispatcherObject, state) => {
    await state.storage.deleteAll();
  });
  await evictDurableObject(shardZero);
}

async function serviceStatus(): Promise<{ queued: number; running: number }> {
  const res = await target.fetch("/v1");
  expect(res.status).toBe(200);
  const body = (await res.json()) as ServiceStatus;
  return { queued: body.queue_length, running: body.running_jobs };
}

// The Cron Trigger's event, as the runtime delivers it: the handler returns and the pass runs in waitUntil.
async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "* * * * *" }), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
}

// heartbeat -> firmware, source, log -> complete, under a lease the agent already holds.
async function finish(agent: Agent, lease: LeaseResponse): Promise<void> {
  expect((await agent.heartbeat(lease)).status).toBe(200);
  const firmware = randomBytes(256);
  expect((await agent.upload(lease, "firmware", firmware, { filename: "firmware.hex" })).status).toBe(200);
  await agent.uploadSourceAndLog(lease);
  expect((await agent.complete(lease)).status).toBe(200);
}

const rowCount = (stub: DurableObjectStub<DispatcherRpc>, id: string) =>
  runInDurableObject(
    stub,
    (_: DispatcherObject, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE id = ?", id).one().n,
  );

describe("the Worker's reconciler (Cron Trigger)", () => {
  it("queues jobs the Dispatcher object lost again exactly once, restores running leases, and each job is built once", async () => {
    const ids = await submitDelivered(6);
    const builders = [new Agent(target, "reconcile-a"), new Agent(target, "reconcile-b")];
    const held = [(await builders[0]!.lease())!, (await builders[1]!.lease())!];
    const running = held.map((lease) => lease.job.id);
    const queued = ids.filter((id) => !running.includes(id));
    expect(running.every((id) => ids.includes(id))).toBe(true);
    expect(await serviceStatus()).toEqual({ queued: 4, running: 2 });
    // Each agent reports its first stage at once, as the build agent does: R2 then holds its lease (a lease's
    // record is written after the lease answers, by the first call that changes the job or 2 s later; the
    // next test loses a lease before that).
    for (const [n, lease] of held.entries()) expect((await builders[n]!.heartbeat(lease)).status).toBe(200);
    for (const id of running) expect((await jobs.get(id))?.status).toBe("running");

    await loseDispatcherStorage();
    // The lie the store corrects: nothing queued, nothing running, nothing to lease.
    expect(await serviceStatus()).toEqual({ queued: 0, running: 0 });
    const latecomer = new Agent(target, "reconcile-c");
    expect(await latecomer.lease()).toBeNull();
    const repair = new DurableObjectQueueRepair(workerEnv.DISPATCHER, 1);
    expect(await repair.lostState()).toBe(true);

    // Two passes at once (two cron events overlapping): every job is repaired by exactly one of them.
    const reports = await Promise.all(
      [0, 1].map(() => reconcileOnSchedule(workerEnv, createExecutionContext())),
    );
    const requeued = reports.flatMap((r) => r.requeued);
    const restored = reports.flatMap((r) => r.leasesRestored);
    expect([...requeued].sort()).toEqual([...queued].sort());
    expect([...restored].sort()).toEqual([...running].sort());
    expect(await repair.lostState()).toBe(false);
    expect(await serviceStatus()).toEqual({ queued: 4, running: 2 });
    // A later pass finds nothing to do.
    expect(await reconcileOnSchedule(workerEnv, createExecutionContext())).toMatchObject({
      requeued: [],
      leasesRestored: [],
    });

    // The builds in flight go on under the leases R2 remembered; the queued jobs are leased once each.
    for (const [n, lease] of held.entries()) await finish(builders[n]!, lease);
    const leased: string[] = [];
    for (let lease = await latecomer.lease(); lease; lease = await latecomer.lease()) {
      leased.push(lease.job.id);
      await finish(latecomer, lease);
    }
    expect([...leased].sort()).toEqual([...queued].sort());
    for (const id of ids) expect((await status(target, id)).status).toBe("finished");
    expect(await serviceStatus()).toEqual({ queued: 0, running: 0 });

    // The scheduled handler's next pass closes the ended jobs' open markers.
    await runCron();
    const open = await jobs.openJobIds();
    expect(ids.filter((id) => open.includes(id))).toEqual([]);
  });

  it("queues a lease lost before its record reached R2 again once: its agent's calls answer 409, another agent builds it once", async () => {
    // Long enough for the steps up to the loss on a slow machine; short because evicting the object waits for
    // its timers (the write then fails on the lost storage).
    const delayMs = leaseWriteDelay.ms;
    leaseWriteDelay.ms = 5_000;
    try {
      const [id] = await submitDelivered(1);
      const first = new Agent(target, "reconcile-g");
      const lease = (await first.lease())!;
      expect(lease.job.id).toBe(id);
      expect((await jobs.get(id!))?.status).toBe("queued");

      await loseDispatcherStorage();
      const report = await reconcileOnSchedule(workerEnv, createExecutionContext());
      expect(report.requeued).toEqual([id]);
      expect(report.leasesRestored).toEqual([]);
      expect(await serviceStatus()).toEqual({ queued: 1, running: 0 });
      // Nothing accepted is dropped; the lost lease is refused, not honoured twice.
      expect((await first.heartbeat(lease)).status).toBe(409);
      const second = new Agent(target, "reconcile-h");
      const again = await second.lease();
      expect(again?.job.id).toBe(id);
      await finish(second, again!);
      expect((await first.complete(lease, { status: "failed", returncode: 1 })).status).toBe(409);
      expect(await second.lease()).toBeNull();
      expect((await status(target, id!)).status).toBe("finished");
      expect(await serviceStatus()).toEqual({ queued: 0, running: 0 });
    } finally {
      leaseWriteDelay.ms = delayMs;
    }
  });

  it("runs from the scheduled handler: a job whose row the object dropped is queued again and built once", async () => {
    const [id] = await submitDelivered(1);
    await runInDurableObject(shardZero, (_: DispatcherObject, state) => {
      state.storage.sql.exec("DELETE FROM jobs WHERE id = ?", id!);
    });
    expect(await serviceStatus()).toEqual({ queued: 0, running: 0 });
    await runCron();
    expect(await serviceStatus()).toEqual({ queued: 1, running: 0 });
    const agent = new Agent(target, "reconcile-d");
    const lease = await agent.lease();
    expect(lease?.job.id).toBe(id);
    await finish(agent, lease!);
    expect(await agent.lease()).toBeNull();
    expect((await status(target, id!)).status).toBe("finished");
  });
});

describe("the Dispatcher object's repair", () => {
  it("is idempotent: of concurrent repairs of a lost job one queues it; known and ended jobs are left alone", async () => {
    const [id] = await submitDelivered(1);
    const shard = shardStub(workerEnv.DISPATCHER, 0);
    expect(await shard.repair(id!)).toEqual({ ok: true, value: "known" });
    await runInDurableObject(shardZero, (_: DispatcherObject, state) => {
      state.storage.sql.exec("DELETE FROM jobs WHERE id = ?", id!);
    });
    const outcomes = await Promise.all([0, 1, 2].map(() => shard.repair(id!)));
    expect(outcomes.map((o) => (o.ok ? o.value : o.error)).sort()).toEqual(["known", "known", "requeued"]);
    expect(await rowCount(shardZero, id!)).toBe(1);

    const agent = new Agent(target, "reconcile-e");
    const lease = await agent.lease();
    expect(lease?.job.id).toBe(id);
    await finish(agent, lease!);
    // Ended: kept by the object for an hour (known), and once forgotten the record says it ended.
    expect(await shard.repair(id!)).toEqual({ ok: true, value: "known" });
    await runInDurableObject(shardZero, (_: DispatcherObject, state) => {
      state.storage.sql.exec("DELETE FROM jobs WHERE id = ?", id!);
    });
    expect(await shard.repair(id!)).toEqual({ ok: true, value: "ended" });
    expect(await rowCount(shardZero, id!)).toBe(0);
    expect(await agent.lease()).toBeNull();
  });

  it("and a dead letter for the same job never both act: the record and the object agree", async () => {
    const [id] = await submitDelivered(1);
    await runInDurableObject(shardZero, (_: DispatcherObject, state) => {
      state.storage.sql.exec("DELETE FROM jobs WHERE id = ?", id!);
    });
    // Both calls start before either has read the record (each pauses at its R2 read).
    const outcomes = await runInDurableObject(shardZero, (object: DispatcherObject) =>
      Promise.all([object.repair(id!), object.failUndeliverable(id!, "the queue gave up (test)")]),
    );
    const stored = (await jobs.get(id!))!.status;
    const rows = await rowCount(shardZero, id!);
    // Either the job was queued again (and not failed), or it failed (and was not queued again).
    expect({ stored, rows }).toEqual(
      stored === "failed" ? { stored, rows: 0 } : { stored: "queued", rows: 1 },
    );
    expect(outcomes.map((o) => (o.ok ? o.value : o.error))).toContain("known");
    const agent = new Agent(target, "reconcile-f");
    const lease = await agent.lease();
    if (stored === "queued") {
      expect(lease?.job.id).toBe(id);
      await finish(agent, lease!);
    } else expect(lease).toBeNull();
  });

  it("goes to the job's own shard when the dispatcher is sharded", async () => {
    const shards = 4;
    const repair = new DurableObjectQueueRepair(workerEnv.DISPATCHER, shards);
    expect(await repair.lostState()).toBe(true);
    // Record-only jobs (accepted, never handed over) in shards other than 0, which this project's API leases from.
    // The store picks each id: a job of shard 0 loses its marker at once, so no pass ever sees it.
    const queued = await compileJobRecord(target);
    const ids: string[] = [];
    while (ids.length < 6) {
      const { id } = await jobs.accept((id) => ({ ...queued, id }));
      if (shardOfJob(id, shards) === 0) await jobs.closeOpen(id);
      else ids.push(id);
    }
    for (const id of ids) expect(await repair.repair(id)).toBe("requeued");
    for (const id of ids) {
      const rows = await Promise.all(
        Array.from({ length: shards }, (_, i) => rowCount(shardStub(workerEnv.DISPATCHER, i), id)),
      );
      expect(rows).toEqual(rows.map((_, i) => (i === shardOfJob(id, shards) ? 1 : 0)));
      expect(await repair.repair(id)).toBe("known");
      // This project's API has one shard: the marker goes, so its passes never see these jobs.
      await jobs.closeOpen(id);
    }
    await repair.markReconciled();
    expect(await repair.lostState()).toBe(false);
  });
});
