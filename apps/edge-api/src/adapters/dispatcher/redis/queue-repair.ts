// The Redis side of the reconciler (jobs/reconcile.ts): a job the store holds as queued that no stream holds
// goes back to its lane; a running job whose lease row Redis lost gets the row back from the record (same
// lease id, agent and expiry), so the agent building it finishes and nothing is built twice. A sentinel key
// tells a Redis that lost its data (restarted without persistence, flushed) from one that did not.
import type { Redis } from "ioredis";
import { isTerminal } from "../../../jobs/lifecycle.ts";
import { type QueueState, type RepairOutcome, repairNeeded } from "../../../jobs/reconcile.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import { type RedisKeys, redisKeys } from "./keys.ts";
import { laneOf } from "./lanes.ts";
import { readLeaseRow } from "./lease-row.ts";
import { JobLock } from "./lock.ts";
import { defineScripts, enqueueJob, recordLease } from "./scripts.ts";

export class RedisQueueRepair {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #jobs: JobStore;
  readonly #lock: JobLock;
  readonly #sentinel: string;

  constructor(args: { redis: Redis; prefix: string; jobs: JobStore; lockTtlMs?: number }) {
    this.#redis = args.redis;
    defineScripts(this.#redis);
    this.#keys = redisKeys(args.prefix);
    this.#jobs = args.jobs;
    this.#lock = new JobLock(this.#redis, this.#keys, args.lockTtlMs ?? 15_000, () => false);
    this.#sentinel = `${args.prefix}reconciled`;
  }

  async lostState(): Promise<boolean> {
    return (await this.#redis.exists(this.#sentinel)) === 0;
  }

  async markReconciled(): Promise<void> {
    await this.#redis.set(this.#sentinel, new Date().toISOString());
  }

  // One pipeline for the lot: waiting (its score in the waiting set) and leased (a lease row, by the rule
  // leaseRowOf applies: a lease id), as repair reads them one job at a time.
  async queueStates(jobIds: string[]): Promise<QueueState[]> {
    const pipeline = this.#redis.pipeline();
    for (const id of jobIds) {
      pipeline.zscore(this.#keys.waitingSince, id);
      pipeline.hget(this.#keys.lease(id), "lease_id");
    }
    const replies = (await pipeline.exec()) ?? [];
    return jobIds.map((_, k) => {
      const [waitErr, score] = replies[2 * k] ?? [new Error("no reply")];
      const [leaseErr, leaseId] = replies[2 * k + 1] ?? [new Error("no reply")];
      if (waitErr || leaseErr) throw waitErr ?? leaseErr;
      return { waiting: score !== null, leased: Boolean(leaseId) };
    });
  }

  async repair(jobId: string): Promise<RepairOutcome> {
    return await this.#lock.run(jobId, async () => {
      const record = await this.#jobs.get(jobId);
      const lease = await readLeaseRow(this.#redis, this.#keys, jobId);
      const waiting = (await this.#redis.zscore(this.#keys.waitingSince, jobId)) !== null;
      const needed = repairNeeded(record, { waiting, leased: lease !== null });
      if (!record || isTerminal(record)) return "ended";
      if (needed === "none") return "known";
      const stream = await laneOf(this.#redis, this.#keys, record);
      if (needed === "requeue") {
        await enqueueJob(this.#redis, this.#keys, stream, jobId, Date.parse(record.enqueued_at));
        return "requeued";
      }
      const held = record.lease!;
      const row = {
        leaseId: held.id,
        agentId: held.agent_id,
        expiresMs: Date.parse(held.expires_at),
        entry: "",
        stream,
        // The store holds this lease's record already.
        grant: "",
      };
      return (await recordLease(this.#redis, this.#keys, jobId, row)) ? "lease-restored" : "known";
    });
  }
}
