import type { Redis } from "ioredis";
import type { RedisKeys } from "./redis-keys.ts";
import type { StreamEntry } from "./redis-stream-entry.ts";

export interface LeaseRow {
  leaseId: string;
  agentId: string;
  expiresMs: number;
  entry: string;
  stream: string;
}

export async function readLeaseRow(redis: Redis, keys: RedisKeys, jobId: string): Promise<LeaseRow | null> {
  const row = await redis.hgetall(keys.lease(jobId));
  if (!row.lease_id) return null;
  return {
    leaseId: row.lease_id,
    agentId: row.agent_id ?? "",
    expiresMs: Number(row.expires_ms),
    entry: row.entry ?? "",
    stream: row.stream ?? "",
  };
}

// A delivered entry with no lease recorded: settling it drops the entry and touches no lease.
export function orphanLease(entry: StreamEntry): LeaseRow {
  return { leaseId: "", agentId: "", expiresMs: 0, entry: entry.id, stream: entry.stream };
}
