import type { JobRecord } from "@qmk-edge/schema";
import type { CommunityCachePolicy } from "../../../jobs/build-cache.ts";
import type { Clock } from "../../../jobs/clock.ts";
import type { LeasePolicy } from "../../../jobs/lease.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import type { JobTable } from "./job-table.ts";
import type { Leases } from "./leases.ts";
import type { ShardRole } from "./shard-role.ts";

// What the parts of a Dispatcher object (object.ts: intake.ts, job-calls.ts, leases.ts) share: its storage,
// its job records in R2, its rules and its one alarm.
export interface ObjectParts {
  sql: SqlStorage;
  table: JobTable;
  jobs: JobStore;
  leases: Leases;
  shard: ShardRole;
  lease: LeasePolicy;
  cachePolicy: CommunityCachePolicy;
  now: Clock;
  // Keeps the alarm at or before the next due time; `dueMs`, when given, is the earliest time the caller's
  // change made due, and no query is made when the alarm already fires by then (alarm.ts covers).
  scheduleAlarm: (dueMs?: number) => Promise<void>;
}

// Jobs back in the queue (or failed) together: written before any other call runs, handed to waiting agents
// (and the Lobby), then persisted.
export async function requeueAll(parts: ObjectParts, records: JobRecord[]): Promise<number> {
  const persisted = parts.table.writeAll(records);
  if (records.length > 0) parts.leases.wake();
  for (const record of records) parts.shard.queued(record, { requeued: true });
  await persisted;
  await parts.scheduleAlarm();
  return records.length;
}
