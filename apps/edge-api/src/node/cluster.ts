// API_PROCESSES > 1: this process is the primary of a node:cluster. It serves nothing and opens no connection
// itself; it forks one worker per process (each one node/main.ts serving the shared port exactly as a single
// process does), replaces a worker that dies (at once after a long life, then with a backoff that doubles while
// replacements keep dying young), and on SIGTERM / SIGINT passes SIGTERM to every worker, which drains as a
// single process does (node/server.ts closeOnSignals), then exits 0 (1 when a worker's drain failed).
// A worker that exits 2 refused to start (a wrong bucket or key: main.ts checkBackends): the whole API stops
// with 2 instead of restarting it forever. What processes share and why it is safe: docs/architecture.md
// "The API on every core (processes)".
import cluster, { type Worker } from "node:cluster";
import { serveClusterMetrics } from "./cluster-metrics.ts";

// A worker that lived this long before dying is replaced at once; one that dies younger doubles the wait.
const HEALTHY_AFTER_MS = 10_000;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;
// Workers end their own drain (in-flight requests, long polls) within node/server.ts's 10 s; past this the
// primary kills what is left.
const STOP_TIMEOUT_MS = 20_000;

export const WORKER_SLOT_ENV = "QMK_EDGE_WORKER_SLOT";

// One line per event, `key=value` after the message, as the other lines of main.ts start: `qmk-edge: `.
export function logLine(message: string, fields: Record<string, string | number | null>): string {
  const kv = Object.entries(fields).map(([k, v]) => `${k}=${v === null ? "-" : v}`);
  return `qmk-edge: ${message} ${kv.join(" ")}`;
}

// The worker's place in the cluster (1-based), or null in a single process.
export function workerSlot(): number | null {
  if (!cluster.isWorker) return null;
  const slot = Number(process.env[WORKER_SLOT_ENV]);
  return Number.isInteger(slot) && slot > 0 ? slot : null;
}

export function backoffMs(youngDeaths: number): number {
  return youngDeaths === 0 ? 0 : Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (youngDeaths - 1));
}

interface Slot {
  worker: Worker | null;
  startedAt: number;
  youngDeaths: number;
  restart: ReturnType<typeof setTimeout> | null;
}

export function runPrimary(processes: number, where: string): void {
  const slots = new Map<number, Slot>();
  let stopping: { codes: number[]; force: ReturnType<typeof setTimeout> } | null = null;
  let exitCode = 0;
  const slotById = new Map<number, number>();
  const slotOf = (worker: Worker) => slotById.get(worker.id) ?? 0;

  const fork = (n: number) => {
    const slot = slots.get(n) as Slot;
    slot.restart = null;
    slot.startedAt = Date.now();
    slot.worker = cluster.fork({ [WORKER_SLOT_ENV]: String(n) });
    slotById.set(slot.worker.id, n);
  };
  const live = () => [...slots.values()].flatMap((s) => (s.worker ? [s.worker] : []));
  const finishIfDone = () => {
    if (stopping && live().length === 0) {
      clearTimeout(stopping.force);
      const failed = stopping.codes.some((c) => c !== 0);
      process.exit(exitCode || (failed ? 1 : 0));
    }
  };
  const stop = (why: string) => {
    if (stopping) return;
    stopping = {
      codes: [],
      force: setTimeout(() => {
        for (const w of live()) w.process.kill("SIGKILL");
      }, STOP_TIMEOUT_MS),
    };
    console.log(logLine("stopping the API processes", { why, workers: live().length }));
    for (const slot of slots.values()) {
      if (slot.restart) clearTimeout(slot.restart);
      slot.restart = null;
    }
    for (const w of live()) w.process.kill("SIGTERM");
    finishIfDone();
  };

  cluster.on("listening", (worker, address) => {
    const n = slotOf(worker);
    console.log(
      logLine("worker listening", { slot: n, pid: worker.process.pid ?? null, port: address.port }),
    );
  });
  cluster.on("exit", (worker, code, signal) => {
    const n = slotOf(worker);
    const slot = slots.get(n);
    if (!slot || slot.worker !== worker) return;
    slot.worker = null;
    const uptimeMs = Date.now() - slot.startedAt;
    const fields = {
      slot: n,
      pid: worker.process.pid ?? null,
      code: code ?? null,
      signal: signal ?? null,
      uptime_s: Math.round(uptimeMs / 100) / 10,
    };
    if (stopping) {
      stopping.codes.push(code ?? 1);
      console.log(logLine("worker stopped", fields));
      finishIfDone();
      return;
    }
    if (code === 2) {
      // It refused to start (configuration or storage): every replacement would too.
      console.error(logLine("worker refused to start; stopping", fields));
      exitCode = 2;
      stop("a worker exited 2");
      return;
    }
    slot.youngDeaths = uptimeMs >= HEALTHY_AFTER_MS ? 0 : slot.youngDeaths + 1;
    const wait = backoffMs(slot.youngDeaths);
    console.error(logLine("worker died; replacing it", { ...fields, restart_in_ms: wait }));
    slot.restart = setTimeout(() => fork(n), wait);
  });
  serveClusterMetrics();
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  console.log(logLine("starting API processes", { processes, listen: where, primary_pid: process.pid }));
  for (let n = 1; n <= processes; n++) {
    slots.set(n, { worker: null, startedAt: 0, youngDeaths: 0, restart: null });
    fork(n);
  }
}
