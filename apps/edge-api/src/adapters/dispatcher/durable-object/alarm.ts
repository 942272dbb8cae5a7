import type { JobRecord } from "@qmk-edge/schema";
import { forgetAgentsSeenBefore } from "../../../jobs/agent-memory.ts";
import { nextDue, purge } from "./sql.ts";

// An ended job stays in the object's table this long, so a repeated completion is answered without R2.
const RETENTION_MS = 60 * 60 * 1000;
// How soon the alarm retries a row not yet written through to R2; a test may lengthen it.
export const retryWrite = { ms: 10_000 };

// The earliest time a new lease makes due: its expiry, or the retry of its record's write to R2, which waits
// (job-table.ts persistLater), whichever comes first.
export const leaseDueMs = (record: JobRecord, nowMs: number) =>
  Math.min(Date.parse(record.lease?.expires_at ?? "") || nowMs, nowMs + retryWrite.ms);

// The time an ended job (written through to R2) makes due: when it is forgotten.
export const endedDueMs = (record: JobRecord) => Date.parse(record.finished_at ?? "") + RETENTION_MS;

// The Dispatcher object's one alarm: the earliest moment something is due (a lease expiry, a write to R2 not
// yet marked done, to retry, an ended job to forget); null when nothing is.
export function nextAlarmAt(sql: SqlStorage, now: Date, unsaved: boolean): number | null {
  const due = nextDue(sql);
  const candidates = [
    due.lease,
    due.ended === null ? null : due.ended + RETENTION_MS,
    unsaved ? now.getTime() + retryWrite.ms : null,
  ].filter((t): t is number => t !== null);
  return candidates.length === 0 ? null : Math.min(...candidates);
}

// Forgets ended jobs (all written through) after RETENTION_MS and agents after the agent memory.
export function purgeForgotten(sql: SqlStorage, now: Date): void {
  purge(sql, now.getTime() - RETENTION_MS, forgetAgentsSeenBefore(now));
}

// Keeps the object's alarm at or before the next due time. Setting or deleting the alarm is a storage write
// (locally a commit of the object's SQLite and of workerd's alarm table, in production a replicated write),
// so an alarm that already fires at or before the new time is left alone: it fires early, finds nothing due
// (alarm() in object.ts does nothing then), and sets the alarm to the time then due. A lease or a completion
// only moves the earliest due time later (the new lease expires after those already running; an ended job
// is due an hour on), so under load the alarm is written about once per firing, not once per job
// (test-workers/dispatcher-object-commits.test.ts).
export class AlarmSchedule {
  readonly #storage: DurableObjectStorage;
  // The alarm as last set; undefined: not known since the object started.
  #at: number | null | undefined;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  // True when the alarm is known to fire at or before `dueMs`. The alarm as last set fires at or before
  // everything due then, and every change since that made something due told the schedule (scheduleAlarm), so
  // a change whose earliest due time is `dueMs` needs no look at the table then: the common lease and
  // completion under load cost no query for the alarm.
  covers(dueMs: number): boolean {
    return this.#at !== undefined && this.#at !== null && this.#at <= dueMs;
  }

  async schedule(at: number | null): Promise<void> {
    if (this.#at === undefined) this.#at = await this.#storage.getAlarm();
    if (at === null || (this.#at !== null && this.#at <= at)) return;
    await this.#storage.setAlarm(at);
    this.#at = at;
  }

  // The runtime clears an alarm once it ran.
  fired(): void {
    this.#at = null;
  }
}
