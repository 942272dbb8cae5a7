// The metrics a route may report, by their key in metrics/definitions.ts (which names and describes them).
export type CounterKey = "jobsSubmitted" | "jobsEnded" | "buildCacheLookups";
export type HistogramKey = "jobStageSeconds";
export type GaugeKey =
  | "queueDepth"
  | "queueOldestAge"
  | "jobsRunning"
  | "agentsConnected"
  | "buildCacheHitRatio"
  | "catalogueAge"
  | "catalogueKeyboards"
  | "buildHealthAge"
  | "buildHealthKeyboards";
export type Labels = Record<string, string>;

export interface GaugeSample {
  gauge: GaugeKey;
  labels: Labels;
  value: number;
}

// What a request reports; the store adds it to its counters (or remembers the agent).
export type MetricEvent =
  | { kind: "count"; counter: CounterKey; labels: Labels; by?: number }
  | { kind: "observe"; histogram: HistogramKey; labels: Labels; value: number }
  | { kind: "agent"; agentId: string; firmwareVersion: string; toolchains: string[]; at: string };

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
