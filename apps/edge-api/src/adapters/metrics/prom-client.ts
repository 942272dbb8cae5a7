// Node's metrics: prom-client instruments in this process (one registry per app, so tests may run several),
// plus Node's process metrics; the agents seen are kept in Redis so every API process reports the same fleet
// (an agent's presence written once per PRESENCE_REFRESH_MS per process, not per lease poll).
import type { Redis } from "ioredis";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { agentsActiveSince, forgetAgentsSeenBefore } from "../../jobs/agent-memory.ts";
import type { ExpiringMemo } from "../../memo/bounded-memo.ts";
import { COUNTERS, GAUGES, HISTOGRAMS } from "../../metrics/definitions.ts";
import type {
  AgentPresence,
  CounterKey,
  CounterSample,
  GaugeKey,
  GaugeSample,
  HistogramKey,
  MetricEvent,
  MetricsStore,
} from "../../ports/metrics.ts";
import { presenceIsNews, presenceMemo } from "./presence.ts";

export class PromClientMetrics implements MetricsStore {
  readonly registry = new Registry();
  readonly #counters: Record<CounterKey, Counter>;
  readonly #histograms: Record<HistogramKey, Histogram>;
  readonly #gauges: Record<GaugeKey, Gauge>;
  readonly #redis: Redis;
  readonly #key: string;
  readonly #sent: ExpiringMemo<string>;

  constructor(args: {
    redis: Redis;
    prefix: string;
    processMetrics?: boolean;
    sentPresence?: ExpiringMemo<string>;
  }) {
    this.#redis = args.redis;
    this.#sent = args.sentPresence ?? presenceMemo();
    this.#key = `${args.prefix}metrics:agents`;
    const registers = [this.registry];
    const map = <K extends string, D, M>(defs: Record<K, D>, make: (d: D) => M) =>
      Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, make(d as D)])) as Record<K, M>;
    this.#counters = map(
      COUNTERS,
      (d) => new Counter({ name: d.name, help: d.help, labelNames: [...d.labels], registers }),
    );
    this.#histograms = map(
      HISTOGRAMS,
      (d) =>
        new Histogram({
          name: d.name,
          help: d.help,
          labelNames: [...d.labels],
          buckets: [...d.buckets],
          registers,
        }),
    );
    this.#gauges = map(
      GAUGES,
      (d) => new Gauge({ name: d.name, help: d.help, labelNames: [...d.labels], registers }),
    );
    if (args.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "qmk_edge_api_" });
  }

  record(events: MetricEvent[]): void {
    const at = new Map<string, string>();
    for (const e of events) {
      if (e.kind === "count") this.#counters[e.counter].inc(e.labels, e.by ?? 1);
      else if (e.kind === "observe") this.#histograms[e.histogram].observe(e.labels, e.value);
      else if (presenceIsNews(this.#sent, e))
        at.set(e.agentId, JSON.stringify({ v: e.firmwareVersion, t: e.toolchains, at: e.at }));
    }
    if (at.size > 0)
      this.#redis
        .hset(this.#key, Object.fromEntries(at))
        .catch((err) => console.error("metrics: agents not saved:", err));
  }

  async counters(): Promise<CounterSample[]> {
    const out: CounterSample[] = [];
    for (const counter of Object.values(this.#counters)) {
      const got = await counter.get();
      for (const v of got.values)
        out.push({ name: got.name, labels: v.labels as Record<string, string>, value: v.value });
    }
    return out;
  }

  async agents(now: Date, windowSeconds: number): Promise<AgentPresence[]> {
    const since = agentsActiveSince(now, windowSeconds);
    const old = forgetAgentsSeenBefore(now);
    const all = await this.#redis.hgetall(this.#key);
    const out: AgentPresence[] = [];
    const forget: string[] = [];
    for (const [agentId, text] of Object.entries(all)) {
      const v = JSON.parse(text) as { v: string; t: string[]; at: string };
      if (Date.parse(v.at) < old) forget.push(agentId);
      else if (Date.parse(v.at) >= since)
        out.push({ agentId, firmwareVersion: v.v, toolchains: v.t, at: v.at });
    }
    if (forget.length > 0) await this.#redis.hdel(this.#key, ...forget);
    return out;
  }

  async exposition(gauges: GaugeSample[]): Promise<string> {
    for (const g of Object.values(this.#gauges)) g.reset();
    for (const s of gauges) this.#gauges[s.gauge].set(s.labels, s.value);
    return await this.registry.metrics();
  }
}
