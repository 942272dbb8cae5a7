import { runInDurableObject } from "cloudflare:test";
import type { JobRecord, LeaseRequest, LeaseResponse } from "@qmk-edge/schema";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import { retryWrite } from "../src/adapters/dispatcher/durable-object/alarm.ts";
import { JobTable, leaseWriteDelay, markFlush } from "../src/adapters/dispatcher/durable-object/job-table.ts";
import type { DispatcherObject } from "../src/adapters/dispatcher/durable-object/object.ts";
import { CLAIM_AT_BACKLOG } from "../src/adapters/dispatcher/durable-object/sharded-calls.ts";
import { shardStub } from "../src/adapters/dispatcher/durable-object/shards.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { sha256Hex } from "../src/bytes/sha256-hex.ts";
import { defaultTokenId } from "../src/config/agent-tokens.ts";
import { newId } from "../src/jobs/job-id.ts";
import { grantLease, leasePolicy } from "../src/jobs/lease.ts";
import { Agent, submit } from "../test-support/api-client.ts";
import { compileJobRecord } from "../test-support/compile-job-record.ts";
import { jobShardStub } from "../test-support/dispatcher-rows.worker.ts";
import { countSqlStatements } from "../test-support/sql-statements.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// What a lease + complete costs the Dispatcher object in SQLite statements beyond its commits
// (dispatcher-object-commits.test.ts): each statement is a cursor made and run on the object's one thread.
// Under load the alarm already fires before anything a lease or a completion makes due, so neither looks at
// the table for it (alarm.ts covers); a shard's offer finds its job and its backlog in one query. Statements
// are counted on the object's SqlStorage (under the test pool the objects run in this isolate, so its
// prototype is wrapped here). The write and retry timers are lengthened so none fires during a test.

const agent = new Agent(target, "statement-agent");

// The alarm's look at the table (sql.ts nextDue, anyUnsavedJob / eachUnsavedJob).
const ALARM_QUERY = /MIN\(lease_expires_at\)|saved_version < version/;
// Marks of versions written through to R2 (sql.ts markSaved).
const MARK_STATEMENT = /SET saved_version =/;
// A look for a job an agent can take (queue-sql.ts).
const QUEUE_QUERY = /status = 'queued' AND firmware_version = \?/;

async function countingStatements(stub: DurableObjectStub<DispatcherObject>) {
  return countSqlStatements(
    await runInDurableObject(stub, (_: DispatcherObject, state) => state.storage.sql),
  );
}

const store = new BlobJobStore(new R2BlobStore(workerEnv.BUCKET));

// A queued job handed straight to the one shard (the workers project runs one), with no Queue message whose
// consumer would read its row later.
async function queueDirectly(): Promise<JobRecord> {
  const record = await compileJobRecord(target);
  await store.put(record);
  await shardStub(workerEnv.DISPATCHER, 0).enqueue(record);
  return record;
}

const leaseAsk: LeaseRequest = {
  agent_id: agent.id,
  toolchains: ["avr", "arm"],
  firmware_version: target.firmwareVersion,
};
// The agent's own token, so its completions end what a shard's offer leased.
const holder = { token_id: defaultTokenId(await sha256Hex(agent.token)), trust: "trusted" as const };

describe("SQLite statements of the Dispatcher object per job", () => {
  const saved = { flush: markFlush.ms, write: leaseWriteDelay.ms, retry: retryWrite.ms };
  let stop = () => {};
  beforeEach(async () => {
    await agent.drain();
    markFlush.ms = 600_000;
    leaseWriteDelay.ms = 600_000;
    retryWrite.ms = 600_000;
  });
  afterEach(() => {
    vi.restoreAllMocks();
    stop();
    markFlush.ms = saved.flush;
    leaseWriteDelay.ms = saved.write;
    retryWrite.ms = saved.retry;
  });

  it("a lease and a completion under way with the alarm set make no query for the alarm", async () => {
    const first = await submit(target);
    const second = await submit(target);
    const counter = await countingStatements(jobShardStub(first));
    stop = counter.stop;
    const firstLease = await agent.leaseJob(first);
    // The first lease may set the alarm (due when its record's write is retried); from then on it covers
    // what the others make due: a later lease's expiry and retry, an ended job's retention.
    counter.reset();
    const secondLease = await agent.leaseJob(second);
    expect((await agent.complete(firstLease, { status: "failed", returncode: 1 })).status).toBe(200);
    expect((await agent.complete(secondLease, { status: "failed", returncode: 1 })).status).toBe(200);
    expect(counter.count(ALARM_QUERY)).toBe(0);
    // The lease found its job in one query.
    expect(counter.count(QUEUE_QUERY)).toBe(1);
    // The completions' saved marks wait for the timer's one statement, not a statement with each write.
    expect(counter.count(MARK_STATEMENT)).toBe(0);
  });

  it("a shard's offer with a backlog finds the job and counts the backlog in one query", async () => {
    const stub = shardStub(workerEnv.DISPATCHER, 0);
    const queued: JobRecord[] = [];
    for (let i = 0; i < CLAIM_AT_BACKLOG; i++) queued.push(await queueDirectly());
    const counter = await countingStatements(stub);
    stop = counter.stop;
    const offered = (await stub.offer(leaseAsk, holder, true, CLAIM_AT_BACKLOG)) as unknown as {
      ok: true;
      value: { leased: LeaseResponse };
    };
    const leased = offered.value.leased;
    expect(leased.job.id).toBe(queued[0]!.id);
    expect(counter.count(QUEUE_QUERY)).toBe(1);
    // With fewer than the backlog queued, it names its oldest and leases nothing, in one query too.
    counter.reset();
    const named = (await stub.offer(leaseAsk, holder, true, CLAIM_AT_BACKLOG + 1)) as unknown as {
      ok: true;
      value: { oldest: { id: string } };
    };
    expect(named.value.oldest.id).toBe(queued[1]!.id);
    expect(counter.count(QUEUE_QUERY)).toBe(1);
    expect((await agent.complete(leased, { status: "failed", returncode: 1 })).status).toBe(200);
  });

  it("a completion's write-through reads no row back, and the lease's delayed write then reads nothing", async () => {
    // A table of its own on the shard's SQLite (its own timer; the object's alarm never touches it), with
    // two jobs queued in the shard by hand: `ended` is completed before its lease's delayed write is due,
    // `kept` is not.
    const [ended, kept] = [await queueDirectly(), await queueDirectly()];
    leaseWriteDelay.ms = 200;
    const rowReads = vi.spyOn(JobTable.prototype, "row");
    const reads = await runInDurableObject(shardStub(workerEnv.DISPATCHER, 0), async (_, state) => {
      const table = new JobTable(state.storage.sql, store);
      const readsOf = (id: string) =>
        rowReads.mock.calls.filter(([read], i) => read === id && rowReads.mock.contexts[i] === table).length;
      const now = new Date();
      const args = { request: leaseAsk, holder, now, lease: leasePolicy(60) };
      for (const job of [ended, kept]) {
        table.write(grantLease(job, { ...args, leaseId: newId() }).record);
        table.persistLater(job.id);
      }
      // As a completion does: its write, then its write-through, given the row as written.
      const written = table.write({ ...ended, status: "failed", finished_at: now.toISOString() });
      await table.persist(ended.id, false, written);
      // The timer handles its jobs in the order they were leased: once `kept` is in R2, `ended`'s turn passed.
      let stored = await store.get(kept.id);
      for (let i = 0; i < 400 && stored?.status !== "running"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        stored = await store.get(kept.id);
      }
      return { keptStatus: stored?.status, ended: readsOf(ended.id), kept: readsOf(kept.id) };
    });
    // The completion's write-through read no row back; the timer read `kept`'s only.
    expect(reads).toEqual({ keptStatus: "running", ended: 0, kept: 1 });
  });
});
