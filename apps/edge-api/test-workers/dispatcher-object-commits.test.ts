import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { LeaseResponse } from "@qmk-edge/schema";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { leaseWriteDelay, markFlush } from "../src/adapters/dispatcher/durable-object/job-table.ts";
import type { DispatcherObject } from "../src/adapters/dispatcher/durable-object/object.ts";
import { shardOfJob } from "../src/adapters/dispatcher/durable-object/shards.ts";
import { Agent, submit } from "../test-support/api-client.ts";
import { jobShardStub, rowVersions } from "../test-support/dispatcher-rows.worker.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// What a lease + complete costs the Dispatcher object in storage commits (docs/architecture.md, "The sharded
// dispatcher"): each is a local fsync and a replicated write in production. Writes made in one turn (one task
// and its microtasks) are one implicit transaction. The "saved" mark after each R2 write is no commit of its
// own per job: it waits in memory and the marks of a second go in one statement (job-table.ts), seen here in
// the row's `saved_version`. Alarm writes are counted on the object's DurableObjectStorage (under the test pool the
// objects run in this isolate, so its prototype is wrapped here). The marks' timer is lengthened so it never
// fires between the calls of a test on a slow machine.

const agent = new Agent(target, "commit-agent");
const stub = jobShardStub;

// Counts the alarm writes (set or delete) on the storage of the object `jobId` lives in.
async function countingAlarmWrites(
  jobId: string,
): Promise<{ tally: { alarmWrites: number }; stop: () => void }> {
  const storage = await runInDurableObject(stub(jobId), (_: DispatcherObject, state) => state.storage);
  const tally = { alarmWrites: 0 };
  const storageProto = Object.getPrototypeOf(storage) as Record<string, (...a: unknown[]) => unknown>;
  const originals = { setAlarm: storageProto.setAlarm!, deleteAlarm: storageProto.deleteAlarm! };
  for (const method of ["setAlarm", "deleteAlarm"] as const) {
    storageProto[method] = function (this: unknown, ...args: unknown[]) {
      if (this === storage) tally.alarmWrites++;
      return originals[method].apply(this, args);
    };
  }
  return {
    tally,
    stop: () => {
      storageProto.setAlarm = originals.setAlarm;
      storageProto.deleteAlarm = originals.deleteAlarm;
    },
  };
}

const versions = rowVersions;

describe("storage commits of a lease + complete in the Dispatcher object", () => {
  const flushMs = markFlush.ms;
  const writeDelayMs = leaseWriteDelay.ms;
  let stop = () => {};
  beforeEach(async () => {
    await agent.drain();
    markFlush.ms = 600_000;
    leaseWriteDelay.ms = 600_000;
  });
  afterEach(() => {
    stop();
    markFlush.ms = flushMs;
    leaseWriteDelay.ms = writeDelayMs;
  });

  it("commits once per transition: the R2 write's mark waits in memory", async () => {
    const id = await submit(target);
    const lease = (await agent.lease()) as LeaseResponse;
    expect(lease.job.id).toBe(id);
    // The lease's record goes to R2 later (job-table.ts persistLater); the row was saved as inserted (R2 held it queued).
    const leased = await versions(id);
    expect(leased).toEqual({ version: leased.version, saved: leased.version - 1 });
    expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
    // The completion wrote its record to R2 (the lease's never was); its mark waits in memory.
    expect(await versions(id)).toEqual({ version: leased.version + 1, saved: leased.version - 1 });
    // The alarm stores the marks that wait, so the ended row can be purged in its time.
    await runDurableObjectAlarm(stub(id));
    expect(await versions(id)).toEqual({ version: leased.version + 1, saved: leased.version + 1 });
  });

  it("leaves an alarm that fires earlier than the new due time alone", async () => {
    const first = await submit(target);
    const firstLease = await agent.leaseJob(first);
    await agent.complete(firstLease, { status: "failed", returncode: 1 });
    const id = await submit(target);
    if (shardOfJob(id, 4) !== shardOfJob(first, 4) && Number(workerEnv.DISPATCHER_SHARDS ?? 1) > 1) return;
    const count = await countingAlarmWrites(id);
    stop = count.stop;
    const lease = await agent.leaseJob(id);
    expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
    expect(count.tally.alarmWrites).toBe(0);
    // It fires early, finds nothing due and is set again: the next due time, never later.
    const before = await runInDurableObject(stub(id), (_: DispatcherObject, state) =>
      state.storage.getAlarm(),
    );
    expect(before).not.toBeNull();
    expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    const after = await runInDurableObject(stub(id), (_: DispatcherObject, state) =>
      state.storage.getAlarm(),
    );
    expect(after).not.toBeNull();
    expect(after as number).toBeGreaterThanOrEqual(before as number);
  });
});
