import type { JobRecord } from "@qmk-edge/schema";
import type { JobStore } from "../ports/job-store.ts";
import { isTerminal } from "./lifecycle.ts";

// The store is the truth; the queue is rebuilt from it (issue 19). The reconciler walks the jobs marked open
// (JobStore.openJobIds), and hands each one the store holds as queued or running to the queue's repair hook,
// which queues it again or restores its lease only when the queue does not know it. Markers of ended jobs are
// cleared on the way. Every step is idempotent and done under the queue's own per-job guard, so any number of
// processes may reconcile at once: a job is queued again once, never twice.

// What the queue did about one open job.
export type RepairOutcome = "known" | "requeued" | "lease-restored" | "ended";

// The queue side of reconciling (Redis: adapters/dispatcher/redis/queue-repair.ts; Durable Objects:
// adapters/dispatcher/durable-object/queue-repair.ts).
export interface QueueRepair {
  // True when the queue has lost its state since the last reconcile (restarted empty, flushed).
  lostState(): Promise<boolean>;
  markReconciled(): Promise<void>;
  // For a record the store holds as queued or running: re-read it under the job's guard and queue it again
  // (queued) or restore its lease (running) unless the queue knows it.
  repair(jobId: string): Promise<RepairOutcome>;
  // What the queue knows of each job now, in one round trip for many: a pass skips the guarded repair of a job
  // the queue plainly knows (repairNeeded "none"), and repairs the rest. A queue without it repairs every one.
  queueStates?(jobIds: string[]): Promise<QueueState[]>;
}

export interface QueueState {
  waiting: boolean;
  leased: boolean;
}

// Open jobs whose queue states one call asks for.
const STATES_PER_CALL = 256;

export interface ReconcileReport {
  open: number;
  requeued: string[];
  leasesRestored: string[];
  closed: number;
}

// Ids marked open with no record yet: a POST may be between its marker and its record, so such a marker is
// closed on a second look. Kept by the Reconciler; the Worker, which builds one per Cron Trigger event, hands
// every one the same memory (workers/reconcile.ts).
export interface ReconcileMemory {
  missingOnce: Set<string>;
}

export class Reconciler {
  readonly #jobs: JobStore;
  readonly #queue: QueueRepair;
  readonly #log: (line: string) => void;
  readonly #memory: ReconcileMemory;
  #running: Promise<ReconcileReport> | null = null;

  constructor(
    jobs: JobStore,
    queue: QueueRepair,
    log: (line: string) => void = console.warn,
    memory: ReconcileMemory = { missingOnce: new Set() },
  ) {
    this.#jobs = jobs;
    this.#queue = queue;
    this.#log = log;
    this.#memory = memory;
  }

  // One pass; concurrent callers in this process share it.
  reconcile(): Promise<ReconcileReport> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  // Reconciles first when the queue lost its state, so what GET /v1 counts is what the store holds.
  async ensure(): Promise<void> {
    if (this.#running || (await this.#queue.lostState())) await this.reconcile();
  }

  // On start and then every intervalMs (and at once when a cheap check sees the queue lost its state);
  // returns the function that stops it.
  start(intervalMs: number, checkMs: number, onError: (err: unknown) => void): () => void {
    let last = 0;
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        if (Date.now() - last >= intervalMs || (await this.#queue.lostState())) {
          await this.reconcile();
          last = Date.now();
        }
      } catch (err) {
        onError(err);
      } finally {
        busy = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), checkMs);
    // Node's timer keeps no process alive; this module is also compiled for Workers, whose timers are numbers.
    (timer as unknown as { unref?: () => void }).unref?.();
    return () => clearInterval(timer);
  }

  async #pass(): Promise<ReconcileReport> {
    const lost = await this.#queue.lostState();
    // In id order: a store that keeps the first records of a moment together (adapters/job-store/
    // record-packs.ts: ids of a pack share their first half) reads each pack once, not once per job.
    const ids = (await this.#jobs.openJobIds()).sort();
    const report: ReconcileReport = { open: ids.length, requeued: [], leasesRestored: [], closed: 0 };
    const missing = new Set<string>();
    for (let at = 0; at < ids.length; at += STATES_PER_CALL) {
      const chunk = ids.slice(at, at + STATES_PER_CALL);
      // Asked right before its jobs are looked at, so what it says is as fresh as a per-job check was.
      const states = (await this.#queue.queueStates?.(chunk)) ?? null;
      for (const [k, id] of chunk.entries()) {
        const record = await this.#jobs.get(id);
        if (!record || isTerminal(record)) {
          if (record || this.#memory.missingOnce.has(id)) {
            await this.#jobs.closeOpen(id);
            report.closed++;
          } else missing.add(id);
          continue;
        }
        // Known to the queue a moment ago: nothing to repair (a change since is the next pass's, as it was
        // when the check ran under the job's guard a moment before the change).
        if (states && repairNeeded(record, states[k]!) === "none") continue;
        const outcome = await this.#queue.repair(id);
        if (outcome === "requeued") report.requeued.push(id);
        if (outcome === "lease-restored") report.leasesRestored.push(id);
      }
    }
    this.#memory.missingOnce = missing;
    await this.#queue.markReconciled();
    if (report.requeued.length || report.leasesRestored.length) {
      this.#log(
        `reconciler: the queue ${lost ? "had lost its state" : "missed jobs"}; ${report.requeued.length} ` +
          `job(s) queued again, ${report.leasesRestored.length} lease(s) restored from the store`,
      );
    }
    return report;
  }
}

// Which repair a record needs, given what the queue knows of it: the rule both queues apply.
export function repairNeeded(
  record: JobRecord | null,
  queue: QueueState,
): "none" | "requeue" | "restore-lease" {
  if (!record || isTerminal(record)) return "none";
  if (record.status === "queued") return queue.waiting || queue.leased ? "none" : "requeue";
  return queue.leased || !record.lease ? "none" : "restore-lease";
}
