import { DurableObject } from "cloudflare:workers";
import { COUNTERS, HISTOGRAMS } from "../../../metrics/definitions.ts";
import { type HistogramSample, observeInto } from "../../../metrics/exposition.ts";
import type { AgentPresence, CounterSample, Labels, MetricEvent } from "../../../ports/metrics.ts";
import type { MetricsBindings, MetricsRpc, MetricsSnapshot } from "./interface.ts";

// One object for the whole deployment: the counters, histograms and agents seen, in SQLite, so they survive
// isolates and restarts (a Worker isolate's memory does not). Requests add to it after answering (waitUntil).
export class MetricsObject extends DurableObject<MetricsBindings> implements MetricsRpc {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: MetricsBindings) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS counters (name TEXT, labels TEXT, value REAL, PRIMARY KEY (name, labels));
      CREATE TABLE IF NOT EXISTS histograms (name TEXT, labels TEXT, buckets TEXT, sum REAL, count INTEGER,
        PRIMARY KEY (name, labels));
      CREATE TABLE IF NOT EXISTS agents (agent_id TEXT PRIMARY KEY, firmware_version TEXT, toolchains TEXT, at INTEGER);
    `);
  }

  // A call holds an isolate's events of METRICS_BATCH_MS (client.ts): many events of a few series. Each series
  // is read and written once per call (a counter's increments summed, a histogram's observations added to its
  // row in order, an agent's last sighting), not once per event.
  async record(events: MetricEvent[]): Promise<void> {
    const counts = new Map<string, { name: string; labels: string; by: number }>();
    const observed = new Map<
      string,
      { name: string; labels: string; bounds: readonly number[]; values: number[] }
    >();
    const agents = new Map<string, Extract<MetricEvent, { kind: "agent" }>>();
    for (const e of events) {
      if (e.kind === "count") {
        const name = COUNTERS[e.counter].name;
        const labels = canonical(e.labels);
        const key = `${name}\n${labels}`;
        const series = counts.get(key);
        if (series) series.by += e.by ?? 1;
        else counts.set(key, { name, labels, by: e.by ?? 1 });
      } else if (e.kind === "observe") {
        const { name, buckets: bounds } = HISTOGRAMS[e.histogram];
        const labels = canonical(e.labels);
        const key = `${name}\n${labels}`;
        const series = observed.get(key);
        if (series) series.values.push(e.value);
        else observed.set(key, { name, labels, bounds, values: [e.value] });
      } else {
        agents.set(e.agentId, e);
      }
    }
    for (const c of counts.values()) {
      this.#sql.exec(
        "INSERT INTO counters (name, labels, value) VALUES (?, ?, ?) ON CONFLICT(name, labels) DO UPDATE SET value = value + excluded.value",
        c.name,
        c.labels,
        c.by,
      );
    }
    for (const h of observed.values()) {
      const row = this.#sql
        .exec<{ buckets: string; sum: number; count: number }>(
          "SELECT buckets, sum, count FROM histograms WHERE name = ? AND labels = ?",
          h.name,
          h.labels,
        )
        .toArray()[0];
      const sample = row
        ? { buckets: JSON.parse(row.buckets) as number[], sum: row.sum, count: row.count }
        : { buckets: [], sum: 0, count: 0 };
      for (const value of h.values) observeInto(h.bounds, sample, value);
      this.#sql.exec(
        "INSERT OR REPLACE INTO histograms (name, labels, buckets, sum, count) VALUES (?, ?, ?, ?, ?)",
        h.name,
        h.labels,
        JSON.stringify(sample.buckets),
        sample.sum,
        sample.count,
      );
    }
    for (const e of agents.values()) {
      this.#sql.exec(
        "INSERT OR REPLACE INTO agents (agent_id, firmware_version, toolchains, at) VALUES (?, ?, ?, ?)",
        e.agentId,
        e.firmwareVersion,
        JSON.stringify(e.toolchains),
        Date.parse(e.at),
      );
    }
  }

  async snapshot(): Promise<MetricsSnapshot> {
    const counters: CounterSample[] = this.#sql
      .exec<{ name: string; labels: string; value: number }>("SELECT name, labels, value FROM counters")
      .toArray()
      .map((r) => ({ name: r.name, labels: JSON.parse(r.labels) as Labels, value: r.value }));
    const histograms: HistogramSample[] = this.#sql
      .exec<{ name: string; labels: string; buckets: string; sum: number; count: number }>(
        "SELECT name, labels, buckets, sum, count FROM histograms",
      )
      .toArray()
      .map((r) => ({
        name: r.name,
        labels: JSON.parse(r.labels) as Labels,
        buckets: JSON.parse(r.buckets) as number[],
        sum: r.sum,
        count: r.count,
      }));
    return { counters, histograms };
  }

  async agents(sinceMs: number, forgetBeforeMs: number): Promise<AgentPresence[]> {
    this.#sql.exec("DELETE FROM agents WHERE at < ?", forgetBeforeMs);
    return this.#sql
      .exec<{ agent_id: string; firmware_version: string; toolchains: string; at: number }>(
        "SELECT agent_id, firmware_version, toolchains, at FROM agents WHERE at >= ?",
        sinceMs,
      )
      .toArray()
      .map((r) => ({
        agentId: r.agent_id,
        firmwareVersion: r.firmware_version,
        toolchains: JSON.parse(r.toolchains) as string[],
        at: new Date(r.at).toISOString(),
      }));
  }
}

// Labels in key order, so one series is one row.
const canonical = (labels: Labels) =>
  JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))));
