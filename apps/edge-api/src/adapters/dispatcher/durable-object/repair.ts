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
// Another repair or a dead letter of the same job meanwhile is answered at once (OnePerJob below); the Queue
// consumer's hand-over may still insert the job while R2 answers, and then the insert finds its row and does
// nothing, so one call inserts and every other answers "known".
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

// The object's calls that act on a job it does not hold, from the record in R2 (repair, the dead-letter
// queue's failUndeliverable), one at a time per job: each pauses at its R2 read, and two of them acting on
// the same stale read would leave the record failed and the row queued (a failed job built anyway). A call
// that finds another one at work on its job answers `busy` at once: the other one decides, and the next
// reconcile or dead-letter retry sees what it decided.
export class OnePerJob {
  readonly #busy = new Set<string>();

  async alone<T>(jobId: string, busy: T, call: () => Promise<T>): Promise<T> {
    if (this.#busy.has(jobId)) return busy;
    this.#busy.add(jobId);
    try {
      return await call();
    } finally {
      this.#busy.delete(jobId);
    }
  }
}
