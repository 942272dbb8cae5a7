import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import type { JobRecord, LeaseResponse } from "@qmk-edge/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import { JOB_QUEUE } from "../src/adapters/dispatcher/durable-object/queue-consumer.ts";
import { homeShardOf, shardStub } from "../src/adapters/dispatcher/durable-object/shards.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import worker from "../src/workers/main.ts";
import { Agent, compileBody, json, submit } from "../test-support/api-client.ts";
import {
  type Counts,
  countAllR2,
  countingEnv,
  fetchCounted,
} from "../test-support/binding-counter.worker.ts";
import { demoCatalogue, publishCatalogue } from "../test-support/catalogue.ts";
import { compileJobRecord } from "../test-support/compile-job-record.ts";
import type { Target } from "../test-support/target.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// What each hot route costs the Worker in subrequests (Durable Object calls, R2 operations, Queue sends) and,
// beside it, the R2 operations the Dispatcher objects make for it (docs/architecture.md, "What the API
// costs"). The budgets are upper bounds: a change that adds a call to a route fails here. All requests go to
// one env object, as in one isolate, so memos kept across requests count.

const meter = countingEnv(workerEnv);
const counting: Target = { ...target, fetch: fetchCounted(meter.env) };
const agent = new Agent(counting, "cost-agent");
const all: Counts = {};
let stopCountingR2 = () => {};

interface Cost {
  // The Worker's calls to its bindings: `do.<binding>.<method>`, `r2.<operation>`, `queue.send`.
  worker: Counts;
  // R2 operations the Durable Objects made while the request ran.
  objectsR2: Counts;
}

async function cost(call: () => Promise<Response>, status = 200): Promise<Cost> {
  meter.reset();
  for (const key of Object.keys(all)) delete all[key];
  const res = await call();
  expect(res.status).toBe(status);
  const worker = { ...meter.counts };
  const objectsR2: Counts = {};
  for (const [key, n] of Object.entries(all)) {
    const op = key.slice("r2-all.".length);
    const left = n - (worker[`r2.${op}`] ?? 0);
    if (left > 0) objectsR2[op] = left;
  }
  return { worker, objectsR2 };
}

// Every call counted must be in the budget, at most as often as it allows.
function expectWithin(actual: Cost, budget: { worker?: Counts; objectsR2?: Counts }) {
  for (const side of ["worker", "objectsR2"] as const) {
    const allowed = budget[side] ?? {};
    const over = Object.entries(actual[side]).filter(([key, n]) => n > (allowed[key] ?? 0));
    expect(over, `${side}: ${JSON.stringify(actual[side])} over ${JSON.stringify(allowed)}`).toEqual([]);
  }
}

const shards = () => Number(workerEnv.DISPATCHER_SHARDS ?? 1);
const sum = (counts: Counts) => Object.values(counts).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  await agent.drain();
  stopCountingR2 = countAllR2(all);
});
afterAll(() => stopCountingR2());

describe("what each route costs in binding calls (no catalogue published)", () => {
  it("POST /v1/compile, new job: the catalogue pointer and build health are read once per isolate, not per request", async () => {
    const first = await cost(() => counting.fetch("/v1/compile", json(compileBody())));
    const next = await cost(() => counting.fetch("/v1/compile", json(compileBody())));
    // The first also reads the pointer (none published) and the keyboard's build health; later ones (within
    // the memos' 5 s) only look up the cache entry.
    expectWithin(first, {
      worker: {
        "do.RATE_LIMITER.limit": 1,
        "r2.get": 2,
        "do.BUILD_HEALTH_STORE.entry": 1,
        "r2.put": 2,
        "queue.send": 1,
        "do.DISPATCHER.enqueue": 1,
        "do.METRICS.record": 1,
      },
    });
    expectWithin(next, {
      worker: {
        "do.RATE_LIMITER.limit": 1,
        "r2.get": 1,
        "r2.put": 2,
        "queue.send": 1,
        "do.DISPATCHER.enqueue": 1,
        "do.METRICS.record": 1,
      },
    });
    expect(sum(next.worker)).toBe(sum(first.worker) - 2);
  });

  it("GET /v1/compile/:id: a queued job asks its shard for the position; a settled one is read once", async () => {
    await agent.drain();
    const queued = await submit(counting);
    expectWithin(await cost(() => counting.fetch(`/v1/compile/${queued}`)), {
      worker: { "r2.get": 1, "do.DISPATCHER.queuePosition": 1 },
    });
    const lease = (await agent.lease()) as LeaseResponse;
    expect(lease.job.id).toBe(queued);
    // Until the lease's record reaches R2 (job-table.ts persistLater; the heartbeat writes it), the shard
    // answers the row; then R2 alone.
    expectWithin(await cost(() => counting.fetch(`/v1/compile/${queued}`)), {
      worker: { "r2.get": 1, "do.DISPATCHER.queuePosition": 1 },
    });
    expect((await agent.heartbeat(lease)).status).toBe(200);
    expectWithin(await cost(() => counting.fetch(`/v1/compile/${queued}`)), { worker: { "r2.get": 1 } });
    expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
    const settledFirst = await cost(() => counting.fetch(`/v1/compile/${queued}`));
    expectWithin(settledFirst, { worker: { "r2.get": 1 } });
    const settledAgain = await cost(() => counting.fetch(`/v1/compile/${queued}`));
    expectWithin(settledAgain, {});
  });

  it("GET /v1: one call per dispatcher shard, nothing from R2", async () => {
    expectWithin(await cost(() => counting.fetch("/v1")), { worker: { "do.DISPATCHER.stats": shards() } });
  });

  it("the agent's lease, heartbeat and complete: one Dispatcher call each; the object writes R2 for the heartbeat and the completion, the lease's write comes later", async () => {
    await agent.drain();
    const id = await submit(counting);
    let lease: LeaseResponse | null = null;
    const leased = await cost(async () => {
      const res = await agent.leaseResponse();
      lease = (await res.clone().json()) as LeaseResponse;
      return res;
    });
    expect(lease!.job.id).toBe(id);
    expectWithin(leased, {
      worker: { "do.DISPATCHER.lease": 1, "do.METRICS.record": 1 },
    });
    expectWithin(await cost(() => agent.leaseResponse(), 204), {
      worker: { "do.DISPATCHER.lease": 1, "do.METRICS.record": 1 },
    });
    expectWithin(await cost(() => agent.heartbeat(lease!)), {
      worker: { "do.DISPATCHER.heartbeat": 1 },
      objectsR2: { put: 1 },
    });
    expectWithin(await cost(() => agent.complete(lease!, { status: "failed", returncode: 1 })), {
      worker: { "do.DISPATCHER.complete": 1, "do.METRICS.record": 1 },
      objectsR2: { put: 1 },
    });
  });

  it("POST /v1/compile answered from the build cache: no Dispatcher call, no Queue send", async () => {
    await agent.drain();
    const body = compileBody();
    const built = await submit(counting, body);
    await agent.build(built);
    // The entry was read when the build was submitted (a miss, not memoised) and is read once now; the two
    // writes are the producer's "served" marker and the new job's record.
    expectWithin(await cost(() => counting.fetch("/v1/compile", json(body))), {
      worker: { "do.RATE_LIMITER.limit": 1, "r2.get": 1, "r2.put": 2, "do.METRICS.record": 1 },
    });
    expectWithin(await cost(() => counting.fetch("/v1/compile", json(body))), {
      worker: { "do.RATE_LIMITER.limit": 1, "r2.put": 2, "do.METRICS.record": 1 },
    });
  });

  it("the Queue consumer hands a batch over in one call per shard", async () => {
    const ids = [await submit(counting), await submit(counting), await submit(counting)];
    const batch = createMessageBatch(
      JOB_QUEUE,
      ids.map((job_id, i) => ({ id: `cost-${i}`, timestamp: new Date(), attempts: 1, body: { job_id } })),
    );
    meter.reset();
    const ctx = createExecutionContext();
    await worker.queue(batch, meter.env);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(["cost-0", "cost-1", "cost-2"]);
    expect(meter.counts).toEqual({ "do.DISPATCHER.enqueueAllById": shards() });
  });
});

describe("with a catalogue published", () => {
  it("POST /v1/compile, new job: the pointer and the catalogue objects are read once per isolate", async () => {
    await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
    const newJob = {
      "do.RATE_LIMITER.limit": 1,
      "do.BUILD_HEALTH_STORE.entry": 1,
      "r2.put": 2,
      "queue.send": 1,
      "do.DISPATCHER.enqueue": 1,
      "do.METRICS.record": 1,
    };
    // The publish went through this isolate, so the pointer is read again at once (the manifest and the
    // keyboard's objects were memoised by digest when published or first read).
    expectWithin(await cost(() => counting.fetch("/v1/compile", json(compileBody()))), {
      worker: { ...newJob, "r2.get": 5 },
    });
    // Then only the build-cache entry (a miss) is read.
    expectWithin(await cost(() => counting.fetch("/v1/compile", json(compileBody()))), {
      worker: { ...newJob, "r2.get": 1 },
    });
  });
});

// Four shards seen from the Worker (the objects keep their env: one shard each, so none rings the Lobby). Jobs
// are put straight into the shard a case needs.
describe("a lease across shards", () => {
  const four = countingEnv({ ...workerEnv, DISPATCHER_SHARDS: "4" });
  const store = new BlobJobStore(new R2BlobStore(workerEnv.BUCKET));
  // An agent whose home shard is `home` of 4.
  const agentAt = (home: number) => {
    for (let i = 0; ; i++) {
      const id = `sharded-agent-${i}`;
      if (homeShardOf(id, 4) === home) return new Agent({ ...target, fetch: fetchCounted(four.env) }, id);
    }
  };
  let clock = Date.parse("2026-12-01T00:00:00Z");
  async function queueIn(shard: number): Promise<JobRecord> {
    clock += 1000;
    const record = await compileJobRecord(target, { now: new Date(clock) });
    await store.put(record);
    await shardStub(workerEnv.DISPATCHER, shard).enqueue(record);
    return record;
  }
  const dispatcherCalls = () =>
    Object.entries(four.counts)
      .filter(([key]) => key.startsWith("do.DISPATCHER."))
      .reduce((n, [, calls]) => n + calls, 0);

  beforeAll(() => agent.drain());

  it("serves a short queue oldest first, whichever shard holds it", async () => {
    const oldest = await queueIn(3);
    const newer = await queueIn(1);
    const newest = await queueIn(2);
    const leaser = agentAt(1);
    const order = [];
    for (let i = 0; i < 3; i++) order.push(((await leaser.lease()) as LeaseResponse).job.id);
    expect(order).toEqual([oldest.id, newer.id, newest.id]);
    // Queued nowhere: the shards that never held it know nothing of it, its own (3) answers its lease.
    for (const shard of [1, 2])
      expect(await shardStub(workerEnv.DISPATCHER, shard).queuePosition(oldest.id)).toBeNull();
    expect(await shardStub(workerEnv.DISPATCHER, 3).queuePosition(oldest.id)).toMatchObject({
      moved: { id: oldest.id, status: "running" },
    });
  });

  it("leases from the next shard with a backlog in two calls when the agent's home shard has none", async () => {
    const backlog = [];
    for (let i = 0; i < 5; i++) backlog.push((await queueIn(2)).id);
    const leaser = agentAt(1);
    four.reset();
    const lease = (await leaser.lease()) as LeaseResponse;
    expect(backlog).toContain(lease.job.id);
    // The home shard's offer, then shard 2's, which leases; not a look at every shard and a claim.
    expect(dispatcherCalls()).toBe(2);
    for (let lease = await leaser.lease(); lease; lease = await leaser.lease()) {
      await leaser.complete(lease, { status: "failed", returncode: 1 });
    }
  });
});
