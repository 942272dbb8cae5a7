import { describe, expect, it } from "vitest";
import { DurableObjectMetrics, MetricsBatch } from "../src/adapters/metrics/durable-object/client.ts";
import type { MetricEvent } from "../src/ports/metrics.ts";
import { countingEnv } from "../test-support/binding-counter.worker.ts";
import { scrape, series } from "../test-support/prometheus.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// Every lease and completion has metric events; the one MetricsObject must not take a call for each. An
// isolate's requests share one batch (beside its stores): the first request with events makes the call a
// moment later, the others only add theirs. Nothing here depends on speed: every call made is awaited.

const submitted = (version: string): MetricEvent => ({
  kind: "count",
  counter: "jobsSubmitted",
  labels: { firmware_version: version, cached: "false" },
});

describe("metric events sent to the metrics object", () => {
  it("go in one call for the requests of an isolate that record while a call is pending, none lost", async () => {
    const meter = countingEnv(workerEnv);
    const batch = new MetricsBatch();
    const pending: Promise<unknown>[] = [];
    const requestMetrics = () =>
      new DurableObjectMetrics(meter.env.METRICS, (p) => pending.push(p), undefined, batch);
    const version = `batch-${Date.now().toString(36)}`;

    for (let i = 0; i < 5; i++) requestMetrics().record([submitted(version)]);
    expect(pending).toHaveLength(1);
    await Promise.all(pending.splice(0));
    expect(meter.counts["do.METRICS.record"]).toBe(1);

    // After that call, the next request's events make a new one.
    requestMetrics().record([submitted(version), submitted(version)]);
    expect(pending).toHaveLength(1);
    await Promise.all(pending.splice(0));
    expect(meter.counts["do.METRICS.record"]).toBe(2);

    const key = series("qmk_edge_jobs_submitted_total", { firmware_version: version, cached: "false" });
    // Every event of the seven arrived, in the two calls.
    expect((await scrape(target)).samples.get(key)).toBe(7);
  });
});
