import { forgetAgentsSeenBefore } from "../../../jobs/agent-memory.ts";
import { nextDue, purge } from "./sql.ts";

// An ended job stays in the object's table this long, so a repeated completion is answered without R2.
const RETENTION_MS = 60 * 60 * 1000;
const RETRY_WRITE_MS = 10_000;

// The Dispatcher object's one alarm: the earliest moment something is due (a lease expiry, a failed write to
// retry, an ended job to forget); null when nothing is.
export function nextAlarmAt(sql: SqlStorage, now: Date): number | null {
  const due = nextDue(sql);
  const candidates = [
    due.lease,
    due.ended === null ? null : due.ended + RETENTION_MS,
    due.dirty ? now.getTime() + RETRY_WRITE_MS : null,
  ].filter((t): t is number => t !== null);
  return candidates.length === 0 ? null : Math.min(...candidates);
}

// Forgets ended jobs (all written through) after RETENTION_MS and agents after the agent memory.
export function purgeForgotten(sql: SqlStorage, now: Date): void {
  purge(sql, now.getTime() - RETENTION_MS, forgetAgentsSeenBefore(now));
}

// Keeps the object's alarm at the next due time, writing to storage only when that time changed (most calls
// leave the earliest lease expiry where it was).
export class AlarmSchedule {
  readonly #storage: DurableObjectStorage;
  // The alarm as last set; undefined: not known since the object started.
  #at: number | null | undefined;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  async schedule(at: number | null): Promise<void> {
    if (this.#at === undefined) this.#at = await this.#storage.getAlarm();
    if (at === this.#at) return;
    if (at === null) await this.#storage.deleteAlarm();
    else await this.#storage.setAlarm(at);
    this.#at = at;
  }

  // The runtime clears an alarm once it ran.
  fired(): void {
    this.#at = null;
  }
}
