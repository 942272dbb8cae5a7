// GET /metrics with API_PROCESSES > 1: a scrape reaches one worker, but counters and histograms live in each
// worker's prom-client registry. The worker that answers asks the primary (node/cluster.ts), which asks every
// live worker for its registry as JSON and hands the lot back; the answering worker sums them with prom-client's
// own cluster aggregation (AggregatorRegistry.aggregate: counters and histograms summed, Node's process metrics
// by their own rules). The gauges are read at scrape time from Redis and the store, so they are the answering
// worker's alone (the others' would be stale or empty). A worker that dies takes its counts with it: the sums
// drop, which Prometheus reads as a counter reset.
import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { PromClientMetrics } from "../adapters/metrics/prom-client.ts";
import { COUNTERS, GAUGES } from "../metrics/definitions.ts";
import type { CounterSample, GaugeSample, MetricEvent, MetricsStore } from "../ports/metrics.ts";

type Metrics = MetricObjectWithValues<MetricValue<string>>[];
type Message =
  | { type: "qmk-edge:metrics:ask"; ask: number }
  | { type: "qmk-edge:metrics:report"; gather: number }
  | { type: "qmk-edge:metrics:reported"; gather: number; metrics: Metrics }
  | { type: "qmk-edge:metrics:gathered"; ask: number; reports: { worker: number; metrics: Metrics }[] };

// How long the primary waits for a worker's registry (a dying one may never answer), and a worker for the
// primary (past it, the scrape shows this worker's counts alone rather than none).
const REPORT_TIMEOUT_MS = 2_000;
const GATHER_TIMEOUT_MS = 5_000;

const isMessage = (m: unknown): m is Message =>
  typeof m === "object" &&
  m !== null &&
  String((m as { type?: unknown }).type).startsWith("qmk-edge:metrics:");

const GAUGE_NAMES = new Set<string>(Object.values(GAUGES).map((g) => g.name));
const COUNTER_NAMES = new Set<string>(Object.values(COUNTERS).map((c) => c.name));

// In a worker: the process's own PromClientMetrics, read across every worker.
export class ClusterMetrics implements MetricsStore {
  readonly #local: PromClientMetrics;
  readonly #asks = new Map<number, (reports: { worker: number; metrics: Metrics }[] | null) => void>();
  #nextAsk = 0;

  constructor(local: PromClientMetrics) {
    this.#local = local;
    process.on("message", (m: unknown) => {
      if (!isMessage(m)) return;
      if (m.type === "qmk-edge:metrics:report") {
        void this.#local.registry.getMetricsAsJSON().then((metrics) =>
          process.send?.({
            type: "qmk-edge:metrics:reported",
            gather: m.gather,
            metrics,
          } satisfies Message),
        );
      } else if (m.type === "qmk-edge:metrics:gathered") {
        this.#asks.get(m.ask)?.(m.reports);
      }
    });
  }

  record(events: MetricEvent[]): void {
    this.#local.record(events);
  }

  agents(now: Date, windowSeconds: number) {
    return this.#local.agents(now, windowSeconds);
  }

  async counters(): Promise<CounterSample[]> {
    const sums = new Map<string, CounterSample>();
    for (const metric of (await this.#gather()).flat()) {
      if (!COUNTER_NAMES.has(metric.name)) continue;
      for (const v of metric.values) {
        const key = JSON.stringify([metric.name, Object.entries(v.labels).sort()]);
        const sum = sums.get(key) ?? {
          name: metric.name,
          labels: { ...v.labels } as Record<string, string>,
          value: 0,
        };
        sum.value += v.value;
        sums.set(key, sum);
      }
    }
    return [...sums.values()];
  }

  async exposition(gauges: GaugeSample[]): Promise<string> {
    await this.#local.exposition(gauges); // sets this worker's gauges to the scrape's values
    return await AggregatorRegistry.aggregate(await this.#gather()).metrics();
  }

  // Every live worker's registry; the gauges of this one only. Without an answer: this worker's alone.
  async #gather(): Promise<Metrics[]> {
    const ask = this.#nextAsk++;
    const reports = await new Promise<{ worker: number; metrics: Metrics }[] | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), GATHER_TIMEOUT_MS);
      this.#asks.set(ask, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      process.send?.({ type: "qmk-edge:metrics:ask", ask } satisfies Message);
    });
    this.#asks.delete(ask);
    const me = cluster.worker?.id;
    if (!reports?.some((r) => r.worker === me)) return [await this.#local.registry.getMetricsAsJSON()];
    return reports.map((r) =>
      r.worker === me ? r.metrics : r.metrics.filter((m) => !GAUGE_NAMES.has(m.name)),
    );
  }
}

// In the primary: answers a worker's ask with every live worker's registry.
export function serveClusterMetrics(): void {
  let nextGather = 0;
  const gathers = new Map<
    number,
    { got: { worker: number; metrics: Metrics }[]; waiting: Set<number>; done(): void }
  >();
  cluster.on("message", (worker: Worker, m: unknown) => {
    if (!isMessage(m)) return;
    if (m.type === "qmk-edge:metrics:ask") {
      const gather = nextGather++;
      const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
      const state = {
        got: [] as { worker: number; metrics: Metrics }[],
        waiting: new Set(live.map((w) => w.id)),
        done: () => {
          clearTimeout(timer);
          gathers.delete(gather);
          if (worker.isConnected())
            worker.send({
              type: "qmk-edge:metrics:gathered",
              ask: m.ask,
              reports: state.got,
            } satisfies Message);
        },
      };
      const timer = setTimeout(() => state.done(), REPORT_TIMEOUT_MS);
      gathers.set(gather, state);
      for (const w of live) w.send({ type: "qmk-edge:metrics:report", gather } satisfies Message);
      if (live.length === 0) state.done();
    } else if (m.type === "qmk-edge:metrics:reported") {
      const state = gathers.get(m.gather);
      if (!state?.waiting.delete(worker.id)) return;
      state.got.push({ worker: worker.id, metrics: m.metrics });
      if (state.waiting.size === 0) state.done();
    }
  });
}
