import type { CounterKey, GaugeKey, HistogramKey } from "../ports/metrics.ts";

// Every metric the API exposes, declared once: both runtimes render these names, helps, labels and buckets
// (Node through prom-client, Workers through exposition.ts), so a dashboard works on either.

export interface MetricDefinition {
  name: string;
  help: string;
  labels: readonly string[];
}
export interface HistogramDefinition extends MetricDefinition {
  buckets: readonly number[];
}

export const COUNTERS = {
  jobsSubmitted: {
    name: "qmk_edge_jobs_submitted_total",
    help: "Compile requests accepted, by whether the build cache answered them at once",
    labels: ["firmware_version", "cached"],
  },
  jobsEnded: {
    name: "qmk_edge_jobs_ended_total",
    help: "Jobs an agent completed, by outcome (finished, failed) and failure reason class",
    labels: ["firmware_version", "outcome", "reason"],
  },
  buildCacheLookups: {
    name: "qmk_edge_build_cache_lookups_total",
    help: "Build cache lookups of POST /v1/compile, by result (hit, miss)",
    labels: ["firmware_version", "result"],
  },
} as const satisfies Record<CounterKey, MetricDefinition>;

export const HISTOGRAMS = {
  jobStageSeconds: {
    name: "qmk_edge_job_stage_seconds",
    help: "Time a job spent per stage: queued (enqueued to leased), prepare, compile, package, upload (as the agent timed them), total (created to ended)",
    labels: ["firmware_version", "stage"],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
  },
} as const satisfies Record<HistogramKey, HistogramDefinition>;

// Read at scrape time from the dispatcher, the store and the agents seen; never stored.
export const GAUGES = {
  queueDepth: {
    name: "qmk_edge_queue_depth",
    help: "Jobs queued, not yet leased",
    labels: ["firmware_version"],
  },
  queueOldestAge: {
    name: "qmk_edge_queue_oldest_age_seconds",
    help: "Age of the oldest queued job (0 when none)",
    labels: ["firmware_version"],
  },
  jobsRunning: {
    name: "qmk_edge_jobs_running",
    help: "Jobs leased to an agent",
    labels: ["firmware_version"],
  },
  agentsConnected: {
    name: "qmk_edge_agents_connected",
    help: "Agents that asked for jobs within AGENT_WINDOW_SECONDS, by firmware version and toolchain",
    labels: ["firmware_version", "toolchain"],
  },
  buildCacheHitRatio: {
    name: "qmk_edge_build_cache_hit_ratio",
    help: "Build cache hits over lookups since this counter store started (NaN before the first lookup)",
    labels: ["firmware_version"],
  },
  catalogueAge: {
    name: "qmk_edge_catalogue_age_seconds",
    help: "Seconds since the keyboard catalogue of the version was published (absent: none published)",
    labels: ["firmware_version"],
  },
  catalogueKeyboards: {
    name: "qmk_edge_catalogue_keyboards",
    help: "Keyboards in the published catalogue",
    labels: ["firmware_version"],
  },
  buildHealthAge: {
    name: "qmk_edge_build_health_age_seconds",
    help: "Seconds since the last default-keymap build was reported (absent: none yet)",
    labels: ["firmware_version"],
  },
  buildHealthKeyboards: {
    name: "qmk_edge_build_health_keyboards",
    help: "Catalogue keyboards by default-keymap build result (works: true, false, untested)",
    labels: ["firmware_version", "works"],
  },
} as const satisfies Record<GaugeKey, MetricDefinition>;
