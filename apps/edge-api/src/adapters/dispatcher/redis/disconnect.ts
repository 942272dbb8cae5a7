import type { LeaseHolder } from "@qmk-edge/schema";
import type { Redis } from "ioredis";
import * as lifecycle from "../../../jobs/lifecycle.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import type { RedisKeys } from "./keys.ts";
import { leasedRecord } from "./lease-grant.ts";
import { readLeaseRow } from "./lease-row.ts";
import type { JobLock } from "./lock.ts";
import { settle } from "./scripts.ts";

export interface Disconnecting {
  redis: Redis;
  keys: RedisKeys;
  jobs: JobStore;
  lock: JobLock;
}

// POST /v1/agent/disconnect on Redis: every lease the agent holds under `holder`'s token goes back to the
// queue (lifecycle.disconnectAgent), each under its job's lock. The running jobs are the `leases` zset.
export async function releaseLeasesOf(
  { redis, keys, jobs, lock }: Disconnecting,
  agentId: string,
  holder: LeaseHolder,
  now: string,
): Promise<number> {
  let released = 0;
  for (const jobId of await redis.zrange(keys.leases, 0, -1)) {
    // Only this agent's jobs are locked (and looked at again under the lock): others go on undisturbed.
    if ((await readLeaseRow(redis, keys, jobId))?.agentId !== agentId) continue;
    released += await lock.run(jobId, async () => {
      const lease = await readLeaseRow(redis, keys, jobId);
      const record = lease?.agentId === agentId ? leasedRecord(await jobs.get(jobId), lease) : null;
      if (!lease || !record) return 0;
      const [next] = lifecycle.disconnectAgent([record], { agentId, holder, now });
      if (!next) return 0;
      await jobs.put(next);
      await settle(redis, keys, jobId, lease, next);
      return 1;
    });
  }
  return released;
}
