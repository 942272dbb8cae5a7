// Takes jobs back from agents that went quiet: leases past expiry get lifecycle.expireLease (re-queue with
// attempts + 1, or failed), and entries pending longer than a lease with no lease recorded (a process died
// between delivery and bookkeeping) are reclaimed with XAUTOCLAIM.
import type { Redis } from "ioredis";
import * as lifecycle from "../../../jobs/lifecycle.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import { GROUP, type RedisKeys } from "./keys.ts";
import { leasedRecord } from "./lease-grant.ts";
import { orphanLease, readLeaseRow } from "./lease-row.ts";
import type { JobLock } from "./lock.ts";
import { settle } from "./scripts.ts";
import { dropEntry, type StreamEntry, toEntry } from "./stream-entry.ts";

const REAPER_CONSUMER = "reaper";

export interface Reaper {
  redis: Redis;
  keys: RedisKeys;
  jobs: JobStore;
  lock: JobLock;
  // Pending entries idle this long, with no lease recorded, are reclaimed.
  orphanIdleMs: number;
}

// Runs `task` every intervalMs, never two at once, until the returned function is called.
export function everyInterval(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (err: unknown) => void,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

// Returns how many jobs had a lease taken back.
export async function reap(reaper: Reaper, nowMs: number): Promise<number> {
  let expired = 0;
  const due = await reaper.redis.zrangebyscore(reaper.keys.leases, "-inf", nowMs);
  for (const jobId of due) {
    if (await expire(reaper, jobId, nowMs)) expired++;
  }
  for (const stream of await reaper.redis.smembers(reaper.keys.streams)) {
    expired += await reclaimOrphans(reaper, stream, nowMs);
  }
  return expired;
}

async function expire({ redis, keys, jobs, lock }: Reaper, jobId: string, nowMs: number): Promise<boolean> {
  return await lock.run(jobId, async () => {
    const lease = await readLeaseRow(redis, keys, jobId);
    if (!lease) {
      await redis.zrem(keys.leases, jobId);
      return false;
    }
    if (lease.expiresMs > nowMs) return false;
    const record = leasedRecord(await jobs.get(jobId), lease);
    if (!record) {
      await settle(redis, keys, jobId, lease, null);
      return false;
    }
    if (record.status === "queued") {
      // Leased in Redis with no grant, and the record never said so (the lease was never handed out): no
      // attempt counted.
      await settle(redis, keys, jobId, lease, record);
      return false;
    }
    if (record.status !== "running" || record.lease?.id !== lease.leaseId) {
      await settle(redis, keys, jobId, lease, null);
      return false;
    }
    const next = lifecycle.expireLease(record, { now: new Date(nowMs).toISOString() });
    await jobs.put(next);
    await settle(redis, keys, jobId, lease, next.status === "queued" ? next : null);
    return true;
  });
}

async function reclaimOrphans(reaper: Reaper, stream: string, nowMs: number): Promise<number> {
  let cursor = "0-0";
  let expired = 0;
  for (let round = 0; round < 100; round++) {
    const reply = (await reaper.redis
      .xautoclaim(stream, GROUP, REAPER_CONSUMER, reaper.orphanIdleMs, cursor, "COUNT", 100)
      .catch((err: Error) => {
        if (/NOGROUP|no such key/i.test(err.message)) return ["0-0", []];
        throw err;
      })) as [string, [string, string[] | null][]];
    const [next, entries] = reply;
    for (const [id, fields] of entries) {
      const entry = fields ? toEntry(stream, id, fields) : null;
      if (!entry) {
        await dropEntry(reaper.redis, { stream, id });
        continue;
      }
      if (await reclaim(reaper, entry, nowMs)) expired++;
    }
    if (next === "0-0") break;
    cursor = next;
  }
  return expired;
}

async function reclaim(
  { redis, keys, jobs, lock }: Reaper,
  entry: StreamEntry,
  nowMs: number,
): Promise<boolean> {
  return await lock.run(entry.jobId, async () => {
    const lease = await readLeaseRow(redis, keys, entry.jobId);
    if (lease && lease.entry === entry.id) return false; // a recorded lease: expiry deals with it
    const record = await jobs.get(entry.jobId);
    if (!record || lease || lifecycle.isTerminal(record)) {
      await dropEntry(redis, entry);
      return false;
    }
    const orphan = orphanLease(entry);
    if (record.status === "queued") {
      await settle(redis, keys, entry.jobId, orphan, record);
      return false;
    }
    const next = lifecycle.expireLease(record, { now: new Date(nowMs).toISOString() });
    await jobs.put(next);
    await settle(redis, keys, entry.jobId, orphan, next.status === "queued" ? next : null);
    return true;
  });
}
