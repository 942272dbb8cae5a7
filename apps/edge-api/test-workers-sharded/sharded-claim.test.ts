import type { JobRecord, LeaseHolder, LeaseRequest, LeaseResponse } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import type { DispatcherRpc } from "../src/adapters/dispatcher/durable-object/interface.ts";
import type { Offer } from "../src/adapters/dispatcher/durable-object/leases.ts";
import type { Outcome } from "../src/adapters/dispatcher/durable-object/outcome.ts";
import { shardedLease } from "../src/adapters/dispatcher/durable-object/sharded-calls.ts";
import { shardOfJob, shardStub } from "../src/adapters/dispatcher/durable-object/shards.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { newId } from "../src/jobs/job-id.ts";
import { compileJobRecord } from "../test-support/compile-job-record.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// A lease across four shards whose claim loses its race to another agent (docs/architecture.md, "The sharded
// dispatcher"): the claim takes its shard's next job only when that is still the oldest the Worker knows of,
// and the Worker then tries the next oldest it was told of, without a new look at every shard. Each test
// uses a firmware version of its own, so no other test's jobs or agents meet these.

const SHARDS = Number(workerEnv.DISPATCHER_SHARDS);
const jobs = new BlobJobStore(new R2BlobStore(workerEnv.BUCKET));
const holder: LeaseHolder = { token_id: "race-token", trust: "trusted" };
const ask = (agentId: string, firmwareVersion: string): LeaseRequest => ({
  agent_id: agentId,
  toolchains: ["avr", "arm"],
  firmware_version: firmwareVersion,
});

// A queued job of `firmwareVersion` enqueued `agoMs` ago in shard `shard`, its record in R2.
async function queuedIn(shard: number, firmwareVersion: string, agoMs: number): Promise<JobRecord> {
  let id = newId();
  while (shardOfJob(id, SHARDS) !== shard) id = newId();
  const record = await compileJobRecord(
    { firmwareVersion, maxAttempts: target.maxAttempts },
    { id, now: new Date(Date.now() - agoMs) },
  );
  await jobs.put(record);
  expect(await shardStub(workerEnv.DISPATCHER, shard).enqueue(record)).toEqual({ ok: true, value: "queued" });
  return record;
}

const queued = (record: JobRecord) => ({ enqueuedMs: Date.parse(record.enqueued_at), id: record.id });
const answer = async (call: Promise<unknown>) => (await call) as Outcome<Offer>;

describe("a sharded lease whose claim lost its race", () => {
  it("a shard's claim of a taken job leases its next job only when that is older than the best elsewhere", async () => {
    const version = `race-object-${newId()}`;
    const [first, second] = [await queuedIn(1, version, 3_000), await queuedIn(1, version, 1_000)];
    const shard = shardStub(workerEnv.DISPATCHER, 1);
    // Another agent takes the first job.
    const rival = await answer(shard.claim(ask("rival", version), holder, first.id, null));
    expect(rival.ok && "leased" in rival.value && rival.value.leased.job.id).toBe(first.id);
    // Another shard named a job older than the second: the claim names the second and leases nothing.
    const older = { enqueuedMs: Date.parse(second.enqueued_at) - 500, id: newId() };
    expect(await answer(shard.claim(ask("late", version), holder, first.id, older))).toEqual({
      ok: true,
      value: { oldest: queued(second) },
    });
    // Nothing older named elsewhere: the claim leases the second.
    const newer = { enqueuedMs: Date.parse(second.enqueued_at) + 500, id: newId() };
    const leased = await answer(shard.claim(ask("late", version), holder, first.id, newer));
    expect(leased.ok && "leased" in leased.value && leased.value.leased.job.id).toBe(second.id);
    // Nothing left here: the claim says so.
    expect(await answer(shard.claim(ask("later", version), holder, first.id, null))).toEqual({
      ok: true,
      value: { oldest: null },
    });
  });

  it("the Worker takes the next oldest across shards in one more claim, not a new look at every shard", async () => {
    const version = `race-worker-${newId()}`;
    // Shard 1 holds the oldest and the newest job, shard 2 the one between; fewer than a backlog each, so
    // every shard names its oldest and the Worker claims the oldest of all.
    const oldest = await queuedIn(1, version, 3_000);
    const between = await queuedIn(2, version, 2_000);
    const newest = await queuedIn(1, version, 1_000);
    const calls: string[] = [];
    // The shards as the Worker's binding, each call noted; the first claim lets a rival agent take the job it
    // names just before it arrives, as a faster agent of a busy fleet would.
    const namespace = {
      idFromName: (name: string) => workerEnv.DISPATCHER.idFromName(name),
      get(id: DurableObjectId) {
        const stub = workerEnv.DISPATCHER.get(id);
        return {
          offer: (...args: Parameters<DispatcherRpc["offer"]>) => {
            calls.push("offer");
            return stub.offer(...args);
          },
          claim: async (...args: Parameters<DispatcherRpc["claim"]>) => {
            calls.push(`claim ${args[2]}`);
            if (calls.filter((c) => c.startsWith("claim")).length === 1)
              await stub.claim(ask("rival", version), holder, args[2], null);
            return stub.claim(...args);
          },
        };
      },
    } as unknown as DurableObjectNamespace<DispatcherRpc>;
    const lobby = workerEnv.DISPATCHER_LOBBY;
    const leased = (await shardedLease(
      namespace,
      lobby,
      SHARDS,
      ask("racer", version),
      holder,
    )) as LeaseResponse;
    // The rival took the oldest; of what is left, the job between is older than shard 1's newest.
    expect(leased.job.id).toBe(between.id);
    expect(calls).toEqual([...Array(SHARDS).fill("offer"), `claim ${oldest.id}`, `claim ${between.id}`]);
    // The newest is still queued for the next agent.
    const next = await shardedLease(namespace, lobby, SHARDS, ask("next", version), holder);
    expect(next?.job.id).toBe(newest.id);
  });
});
