import type { JobRecord } from "@qmk-edge/schema";
import { isTerminal } from "../../../jobs/lifecycle.ts";
import { type RepairOutcome, repairNeeded } from "../../../jobs/reconcile.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import type { JobTable } from "./job-table.ts";
import { insertJob } from "./sql.ts";

// A Dispatcher object's side of the reconciler (jobs/reconcile.ts): a job of this shard that the store holds
// as queued or running but this object does not (its storage was lost or reset, or the hand-over never
// arrived) gets its row back from the record in R2. Queued: queued again. Running: the row is restored under
// the record's lease (same lease id, agent and expiry), so the agent building it heartbeats and completes as
// if nothing happened and nothing is built twice; if that agent is gone, the lease expires at the alarm and
// the job is queued again with attempts + 1, by the usual rule.
//
// Idempotent and safe with any number of reconcilers at once: a job the object knows (queued, running, or
// ended within the hour the object keeps it) is left alone, and the record is read only when it does not.
// Other calls may run while R2 answers (another repair, the Queue consumer's hand-over); the insert then
// finds their row and does nothing, so one call inserts and every other answers "known".
export async function restoreFromStore(
  sql: SqlStorage,
  table: JobTable,
  jobs: JobStore,
  jobId: string,
): Promise<{ outcome: RepairOutcome; restored: JobRecord | null }> {
  const known = { outcome: "known", restored: null } as const;
  if (table.row(jobId)) return known;
  const record = await jobs.get(jobId);
  if (!record || isTerminal(record)) return { outcome: "ended", restored: null };
  const needed = repairNeeded(record, { waiting: false, leased: false });
  if (needed === "none" || !insertJob(sql, record)) return known;
  return { outcome: needed === "requeue" ? "requeued" : "lease-restored", restored: record };
}
