import type { MetricEvent } from "../../../metrics/definitions.ts";
import type { HistogramSample } from "../../../metrics/exposition.ts";
import type { AgentPresence, CounterSample } from "../../../ports/metrics.ts";

export interface MetricsSnapshot {
  counters: CounterSample[];
  histograms: HistogramSample[];
}

// The remote calls of the MetricsObject (object.ts), as its binding and client (client.ts) see them.
export interface MetricsRpc extends Rpc.DurableObjectBranded {
  record(events: MetricEvent[]): Promise<void>;
  snapshot(): Promise<MetricsSnapshot>;
  agents(sinceMs: number, forgetBeforeMs: number): Promise<AgentPresence[]>;
}
