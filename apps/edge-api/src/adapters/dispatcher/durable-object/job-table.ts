import type { JobRecord } from "@qmk-edge/schema";
import { afterCompletion } from "../../../jobs/after-completion.ts";
import type { CommunityCachePolicy } from "../../../jobs/build-cache.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import { type JobRow, jobRow, learnToolchain, markSaved, recordOf, unsavedJobIds, updateJob } from "./sql.ts";

// The Dispatcher object's jobs in SQLite and their write-through to the job records in R2. A transition is
// written to its row synchronously (so concurrent calls never interleave inside one), then to R2, one write
// at a time per job so R2 never ends up older than the row.
export class JobTable {
  readonly #sql: SqlStorage;
  readonly #jobs: JobStore;
  readonly #writes = new Map<string, Promise<void>>();

  constructor(sql: SqlStorage, jobs: JobStore) {
    this.#sql = sql;
    this.#jobs = jobs;
  }

  row(id: string): JobRow | undefined {
    return jobRow(this.#sql, id);
  }

  // The record a row holds, parsed with the job record schema; undefined when the object holds no such job.
  record(id: string): JobRecord | undefined {
    const row = this.row(id);
    return row ? recordOf(row) : undefined;
  }

  // Applies a transition's result to the row; persist() writes it through.
  write(record: JobRecord): void {
    updateJob(this.#sql, record);
  }

  async persist(id: string): Promise<void> {
    const previous = this.#writes.get(id) ?? Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async () => {
        const row = this.row(id);
        if (!row || row.saved_version >= row.version) return;
        await this.#jobs.put(recordOf(row));
        markSaved(this.#sql, id, row.version);
      });
    this.#writes.set(id, run);
    try {
      await run;
    } finally {
      if (this.#writes.get(id) === run) this.#writes.delete(id);
    }
  }

  // Writes every record now and persists them; a failed persist is logged and retried by persistUnsaved.
  writeAll(records: JobRecord[]): Promise<void> {
    for (const record of records) this.write(record);
    return Promise.allSettled(records.map((record) => this.persist(record.id))).then((writes) => {
      for (const w of writes)
        if (w.status === "rejected") console.error("dispatcher: record write failed", w.reason);
    });
  }

  // Retries the writes that failed earlier (the alarm calls it).
  async persistUnsaved(): Promise<void> {
    for (const id of unsavedJobIds(this.#sql))
      await this.persist(id).catch((err) => console.error("dispatcher: retry write", err));
  }

  // jobs/after-completion.ts for a job that just ended: the verified record is kept, the toolchain learned.
  async afterCompletion(record: JobRecord, now: string, policy: CommunityCachePolicy): Promise<JobRecord> {
    const after = await afterCompletion(this.#jobs, record, now, policy);
    if (after.record !== record) {
      this.write(after.record);
      await this.persist(record.id).catch((err) => console.error("dispatcher: record write failed", err));
    }
    if (after.learned) learnToolchain(this.#sql, after.learned.keyboard, after.learned.toolchain);
    return after.record;
  }
}
