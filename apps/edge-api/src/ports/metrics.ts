import type { GaugeSample, Labels, MetricEvent } from "../metrics/definitions.ts";

export interface CounterSample {
  name: string;
  labels: Labels;
  value: number;
}

export interface AgentPresence {
  agentId: string;
  firmwareVersion: string;
  toolchains: string[];
  at: string;
}

// Where the operator's counters, histograms and the agents seen are kept: Node, prom-client in the process
// (adapters/metrics/prom-client.ts; agents in Redis, shared by every process); Workers, a Durable Object
// (adapters/metrics/durable-object/). Names and labels come from metrics/definitions.ts only.
export interface MetricsStore {
  // Fire and forget: a metric never fails or slows the request that reports it.
  record(events: MetricEvent[]): void;
  // The counters' current values (the hit ratio gauge is computed from them).
  counters(): Promise<CounterSample[]>;
  // Agents seen within the window (jobs/agent-memory.ts agentsActiveSince), one entry per agent id.
  agents(now: Date, windowSeconds: number): Promise<AgentPresence[]>;
  // Prometheus text exposition (version 0.0.4) of every definition, with `gauges` read at scrape time.
  exposition(gauges: GaugeSample[]): Promise<string>;
}
