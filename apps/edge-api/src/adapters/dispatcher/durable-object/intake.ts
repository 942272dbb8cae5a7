import type { JobRecord } from "@qmk-edge/schema";
import * as lifecycle from "../../../jobs/lifecycle.ts";
import type { RepairOutcome } from "../../../jobs/reconcile.ts";
import type { ObjectParts } from "./object-parts.ts";
import { failedOutcome, type Outcome, ok, outcomeOfCall } from "./outcome.ts";
import { OnePerJob, restoreFromStore } from "./repair.ts";
import * as sql from "./sql.ts";

// How jobs enter a Dispatcher object (shard): the API's direct hand-over, the Queue consumer, the reconciler's
// repair, and the dead-letter queue's verdict on a job the object never received.
export class Intake {
  readonly #parts: ObjectParts;
  readonly #readingRecord = new OnePerJob();

  constructor(parts: ObjectParts) {
    this.#parts = parts;
  }

  // From the API right after the record is saved, and again from the Queue consumer: idempotent.
  async enqueue(record: JobRecord): Promise<Outcome<"queued" | "known" | "ended">> {
    const { table, leases, shard } = this.#parts;
    return await outcomeOfCall(() => {
      if (table.row(record.id)) return "known";
      if (record.status !== "queued") return "ended";
      sql.insertJob(this.#parts.sql, record);
      leases.wake();
      shard.queued(record, { requeued: false });
      return "queued";
    });
  }

  // One id of the Queue consumer's batch (enqueueAllById): the message holds only the id; the record comes
  // from R2.
  async enqueueById(jobId: string): Promise<Outcome<"queued" | "known" | "ended" | "unknown">> {
    try {
      if (this.#parts.table.row(jobId)) return ok("known");
      const record = await this.#parts.jobs.get(jobId);
      return record ? await this.enqueue(record) : ok("unknown");
    } catch (err) {
      return failedOutcome(err);
    }
  }

  async enqueueAllById(jobIds: string[]) {
    const outcomes = [];
    for (const jobId of jobIds) outcomes.push(await this.enqueueById(jobId));
    return outcomes;
  }

  // From the reconciler (jobs/reconcile.ts, run by the Worker's Cron Trigger: workers/reconcile.ts): a job
  // the store holds as queued or running that this object does not know gets its row back (repair.ts).
  async repair(jobId: string): Promise<Outcome<RepairOutcome>> {
    const { table, jobs, leases, shard } = this.#parts;
    return await outcomeOfCall(async () => {
      const { outcome, restored } = await this.#readingRecord.alone(
        jobId,
        { outcome: "known", restored: null },
        () => restoreFromStore(this.#parts.sql, table, jobs, jobId),
      );
      if (restored?.status === "queued") {
        leases.wake();
        shard.queued(restored, { requeued: true });
      }
      if (restored) await this.#parts.scheduleAlarm();
      return outcome;
    });
  }

  // The dead-letter queue's consumer: a job this object never received is failed in R2 with the reason.
  async failUndeliverable(jobId: string, reason: string): Promise<Outcome<string>> {
    const { table, jobs, now } = this.#parts;
    return await outcomeOfCall(() =>
      this.#readingRecord.alone(jobId, "known", async () => {
        if (table.row(jobId)) return "known";
        const record = await jobs.get(jobId);
        if (!record) return "unknown";
        if (lifecycle.isTerminal(record)) return record.status;
        await jobs.put(lifecycle.failJob(record, reason, { now: now().toISOString() }));
        return "failed";
      }),
    );
  }
}
