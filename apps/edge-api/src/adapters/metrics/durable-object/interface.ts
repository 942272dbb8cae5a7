import type { HistogramSample } from "../../../metrics/exposition.ts";
import type { AgentPresence, CounterSample, MetricEvent } from "../../../ports/metrics.ts";

export interface MetricsSnapshot {
  counters: CounterSample[];
  histograms: HistogramSample[];
}

// The binding the Worker reaches the object by; the object reads no binding or var.
export interface MetricsBindings {
  METRICS: DurableObjectNamespace<MetricsRpc>;
}

// The remote calls of the MetricsObject (object.ts), as its binding and client (client.ts) see them.
export interface MetricsRpc extends Rpc.DurableObjectBranded {
  record(events: MetricEvent[]): Promise<void>;
  snapshot(): Promise<MetricsSnapshot>;
  agents(sinceMs: number, forgetBeforeMs: number): Promise<AgentPresence[]>;
}
