// Writes the running records of leases to the store once they are due (lease-grant.ts): any process does it for
// any lease, under the job's lock, so a lease answered by a process that died meanwhile is written by another
// (or by the same API started again). A job written meanwhile (heartbeat, upload, completion) is only dropped
// from `unsaved`; settling a lease drops it in the same script.
import type { Redis } from "ioredis";
import type { JobStore } from "../../../ports/job-store.ts";
import type { RedisKeys } from "./keys.ts";
import { leasedRecord } from "./lease-grant.ts";
import type { JobLock } from "./lock.ts";

export interface LeaseRecords {
  redis: Redis;
  keys: RedisKeys;
  jobs: JobStore;
  lock: JobLock;
}

// How many due records one pass writes at most; the next pass takes the rest.
const PASS_LIMIT = 500;

// Returns how many records it wrote.
export async function saveDueLeaseRecords(ctx: LeaseRecords, nowMs: number): Promise<number> {
  const { redis, keys, jobs, lock } = ctx;
  const due = await redis.zrangebyscore(keys.unsaved, "-inf", nowMs, "LIMIT", 0, PASS_LIMIT);
  let written = 0;
  for (const jobId of due) {
    written += await lock.runWithLease(jobId, async (lease) => {
      const stored = await jobs.get(jobId);
      const record = leasedRecord(stored, lease);
      if (record && record !== stored) await jobs.put(record);
      await redis.zrem(keys.unsaved, jobId);
      return record !== stored ? 1 : 0;
    });
  }
  return written;
}
