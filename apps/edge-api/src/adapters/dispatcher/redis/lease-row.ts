import type { Redis } from "ioredis";
import { LeaseLostError } from "../../../jobs/errors.ts";
import type { RedisKeys } from "./keys.ts";
import type { StreamEntry } from "./stream-entry.ts";

export interface LeaseRow {
  leaseId: string;
  agentId: string;
  expiresMs: number;
  entry: string;
  stream: string;
  // The lease's grant while its running record may not be in the store yet (lease-grant.ts); "" when none.
  grant: string;
}

export async function readLeaseRow(redis: Redis, keys: RedisKeys, jobId: string): Promise<LeaseRow | null> {
  return leaseRowOf(await redis.hgetall(keys.lease(jobId)));
}

// The row from its hash fields (HGETALL), or null when the job has no lease.
export function leaseRowOf(row: Record<string, string>): LeaseRow | null {
  if (!row.lease_id) return null;
  return {
    leaseId: row.lease_id,
    agentId: row.agent_id ?? "",
    expiresMs: Number(row.expires_ms),
    entry: row.entry ?? "",
    stream: row.stream ?? "",
    grant: row.grant ?? "",
  };
}

// A delivered entry with no lease recorded: settling it drops the entry and touches no lease.
export function orphanLease(entry: StreamEntry): LeaseRow {
  return { leaseId: "", agentId: "", expiresMs: 0, entry: entry.id, stream: entry.stream, grant: "" };
}

// The lease row when `leaseId` holds the job, else LeaseLostError.
export async function heldLeaseRow(
  redis: Redis,
  keys: RedisKeys,
  jobId: string,
  leaseId: string,
): Promise<LeaseRow> {
  const lease = await readLeaseRow(redis, keys, jobId);
  if (lease?.leaseId !== leaseId) throw new LeaseLostError(`lease ${leaseId} does not hold job ${jobId}`);
  return lease;
}
