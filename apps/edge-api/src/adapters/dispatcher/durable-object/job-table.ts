import type { JobRecord } from "@qmk-edge/schema";
import { afterCompletion } from "../../../jobs/after-completion.ts";
import type { CommunityCachePolicy } from "../../../jobs/build-cache.ts";
import { isTerminal } from "../../../jobs/lifecycle.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import {
  anyUnsavedJob,
  eachUnsavedJob,
  type JobRow,
  jobRow,
  learnToolchain,
  markSaved,
  recordOf,
  unsavedJobs,
  updateJob,
  type WrittenRow,
} from "./sql.ts";

// How long a "saved" mark may wait in memory for another write to carry it (below); a test may lengthen it.
export const markFlush = { ms: 1000 };

// How long a new lease's record waits before it is written to R2 (persistLater, below); a test may lengthen it.
export const leaseWriteDelay = { ms: 2000 };

// The Dispatcher object's jobs in SQLite and their write-through to the job records in R2. A transition is
// written to its row synchronously (so concurrent calls never interleave inside one), then to R2, one write
// at a time per job so R2 never ends up older than the row.
//
// The mark that a version is in R2 (`saved_version`) is not a commit of its own per job: it waits in memory
// and every mark waiting goes into SQLite in one statement after markFlush.ms (1 s), so a lease + complete
// commits twice (each transition) rather than four times, and under load the marks of a second's jobs cost
// one statement and one commit. Nothing waits for the mark: the lease or completion answers once R2 holds the
// record. If the object is evicted before the mark is stored, the row is still unsaved in SQLite after the
// restart, so the alarm's retry reads R2 first: a record already ended there is not written over
// (mayOverwrite, below), since R2 may have changed since (an operator's purge: jobs/purge-agent.ts); the row
// is marked saved instead.
export class JobTable {
  readonly #sql: SqlStorage;
  readonly #jobs: JobStore;
  readonly #writes = new Map<string, Promise<void>>();
  // Versions written through to R2 whose mark is not in SQLite yet, by job id.
  readonly #marks = new Map<string, number>();
  #markTimer: ReturnType<typeof setTimeout> | undefined;
  // Rows whose write to R2 waits (persistLater), oldest first, with the time it is due. A persist of the
  // job that reads its row meanwhile takes it off (it writes that version or a later one), so a lease whose
  // agent ends the job first costs its timer no read of the row.
  readonly #later = new Map<string, number>();
  #laterTimer: ReturnType<typeof setTimeout> | undefined;

  // Told when a keyboard's toolchain is learned or changes (the other shards learn it too: shard-role.ts).
  readonly #onLearned: (keyboard: string, toolchain: string, jobId: string) => Promise<void>;

  constructor(
    sql: SqlStorage,
    jobs: JobStore,
    onLearned: (keyboard: string, toolchain: string, jobId: string) => Promise<void> = async () => {},
  ) {
    this.#sql = sql;
    this.#jobs = jobs;
    this.#onLearned = onLearned;
  }

  row(id: string): JobRow | undefined {
    return jobRow(this.#sql, id);
  }

  // The record a row holds, parsed with the job record schema; undefined when the object holds no such job.
  record(id: string): JobRecord | undefined {
    const row = this.row(id);
    return row ? recordOf(row) : undefined;
  }

  // Applies a transition's result to the row; persist() writes it through. Answers the row as written, for
  // a persist that follows in the same turn.
  write(record: JobRecord): WrittenRow | undefined {
    return updateJob(this.#sql, record);
  }

  // Puts the marks waiting in memory into SQLite, in one statement.
  storeMarks(): void {
    if (this.#markTimer !== undefined) clearTimeout(this.#markTimer);
    this.#markTimer = undefined;
    markSaved(this.#sql, this.#marks);
    this.#marks.clear();
  }

  // True when some row's latest version is not known to be in R2 (its write failed, is under way, or was
  // done before a restart that lost its mark): the alarm retries them.
  hasUnsaved(): boolean {
    // Cheap on every lease and completion (scheduleAlarm): with no mark waiting, one row answers; otherwise
    // the unsaved rows are read only until one is found whose mark is not waiting either.
    if (this.#marks.size === 0) return anyUnsavedJob(this.#sql);
    for (const { id, version } of eachUnsavedJob(this.#sql))
      if ((this.#marks.get(id) ?? -1) < version) return true;
    return false;
  }

  #savedVersion(row: WrittenRow): number {
    return Math.max(row.saved_version, this.#marks.get(row.id) ?? -1);
  }

  #mark(id: string, version: number): void {
    this.#marks.set(id, Math.max(version, this.#marks.get(id) ?? -1));
    this.#markTimer ??= setTimeout(() => {
      try {
        this.storeMarks();
      } catch (err) {
        // Left unsaved in SQLite: the alarm writes the record again and marks it.
        console.error("dispatcher: storing saved marks", err);
      }
    }, markFlush.ms);
  }

  // `retry` (the alarm's): R2 is read first and the record written only if mayOverwrite allows it.
  // `written`: the row as write() answered it in the caller's turn, so it is read back only when an earlier
  // write of the job is still under way (the row may have changed by the time that one ends).
  async persist(id: string, retry = false, written?: WrittenRow): Promise<void> {
    const inFlight = this.#writes.get(id);
    const previous = inFlight ?? Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async () => {
        this.#later.delete(id);
        const row = (inFlight === undefined && written) || this.row(id);
        if (!row || this.#savedVersion(row) >= row.version) return;
        const record = recordOf(row);
        if (retry) {
          const stored = await this.#jobs.get(id);
          if (stored && !mayOverwrite(stored, record)) {
            this.#mark(id, row.version);
            return;
          }
        }
        await this.#jobs.put(record);
        this.#mark(id, row.version);
      });
    this.#writes.set(id, run);
    try {
      await run;
    } finally {
      if (this.#writes.get(id) === run) this.#writes.delete(id);
    }
  }

  // persist(id) in leaseWriteDelay.ms, unless a later write of the job (which persists its own version) made
  // it needless by then. For a new lease (leases.ts): the row in SQLite is the truth and R2 a copy for reads,
  // so a lease whose agent reports a stage (heartbeat) or ends the job within the delay is written to R2 once,
  // by that call. Until then the row is unsaved, so if the object is evicted first the alarm (due within
  // retryWrite, alarm.ts) writes it.
  persistLater(id: string): void {
    this.#later.delete(id);
    this.#later.set(id, Date.now() + leaseWriteDelay.ms);
    this.#armLater();
  }

  #armLater(): void {
    if (this.#laterTimer !== undefined) return;
    const first = this.#later.values().next();
    if (first.done) return;
    this.#laterTimer = setTimeout(
      () => {
        this.#laterTimer = undefined;
        const now = Date.now();
        for (const [id, dueMs] of this.#later) {
          if (dueMs > now) break;
          this.#later.delete(id);
          this.persist(id).catch((err) => console.error("dispatcher: record write failed", err));
        }
        this.#armLater();
      },
      Math.max(0, first.value - Date.now()),
    );
  }

  // Writes every record now and persists them; a failed persist is logged and retried by persistUnsaved.
  writeAll(records: JobRecord[]): Promise<void> {
    for (const record of records) this.write(record);
    return Promise.allSettled(records.map((record) => this.persist(record.id))).then((writes) => {
      for (const w of writes)
        if (w.status === "rejected") console.error("dispatcher: record write failed", w.reason);
    });
  }

  // Retries the writes that failed earlier, then stores every mark (the alarm calls it, before the purge).
  async persistUnsaved(): Promise<void> {
    for (const { id } of unsavedJobs(this.#sql))
      await this.persist(id, true).catch((err) => console.error("dispatcher: retry write", err));
    this.storeMarks();
  }

  // jobs/after-completion.ts for a job that just ended: the verified record is kept, the toolchain learned.
  async afterCompletion(record: JobRecord, now: string, policy: CommunityCachePolicy): Promise<JobRecord> {
    const after = await afterCompletion(this.#jobs, record, now, policy);
    if (after.record !== record) {
      this.write(after.record);
      await this.persist(record.id).catch((err) => console.error("dispatcher: record write failed", err));
    }
    if (after.learned) {
      const { keyboard, toolchain } = after.learned;
      if (learnToolchain(this.#sql, keyboard, toolchain))
        await this.#onLearned(keyboard, toolchain, record.id);
    }
    return after.record;
  }
}

// Whether the alarm's retry may write a row's record over the one R2 holds. A job that ended in R2 is never
// written over, except by the one change the object makes to an ended job: markVerified (finished, then
// verified), and not once an operator purged it. R2 is never older than the row otherwise (persist writes in
// order), so an ended record there is the row's own version or a later change made outside the object.
export function mayOverwrite(stored: JobRecord, record: JobRecord): boolean {
  if (!isTerminal(stored)) return true;
  return (
    stored.status === "finished" &&
    record.status === "finished" &&
    record.verified === true &&
    !stored.verified &&
    !stored.purged
  );
}
