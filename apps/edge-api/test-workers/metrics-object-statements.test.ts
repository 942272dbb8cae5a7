import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DurableObjectMetrics, MetricsBatch } from "../src/adapters/metrics/durable-object/client.ts";
import type { MetricsObject } from "../src/adapters/metrics/durable-object/object.ts";
import { HISTOGRAMS } from "../src/metrics/definitions.ts";
import { observeInto } from "../src/metrics/exposition.ts";
import type { MetricEvent } from "../src/ports/metrics.ts";
import { countSqlStatements } from "../test-support/sql-statements.ts";
import { workerEnv } from "../test-support/target.worker.ts";

// What the metrics cost the Worker and the one MetricsObject per batch of events (metrics-batch.test.ts: one
// call per isolate and METRICS_BATCH_MS): the object reads and writes each series once per call, not once per
// event, and a request whose events ride on another's pending call makes no stub (idFromName hashes the name).
// Statements are counted on the object's SqlStorage (the objects run in this isolate under the test pool).

const metricsStub = () =>
  workerEnv.METRICS.get(
    workerEnv.METRICS.idFromName("metrics"),
  ) as unknown as DurableObjectStub<MetricsObject>;

async function countingStatements() {
  return countSqlStatements(
    await runInDurableObject(metricsStub(), (_: MetricsObject, state) => state.storage.sql),
  );
}

describe("a batch of metric events in the metrics object", () => {
  it("reads and writes each series once, and adds up to what one event at a time gives", async () => {
    const version = `stmts-${Date.now().toString(36)}`;
    const count = (outcome: string, by?: number): MetricEvent => ({
      kind: "count",
      counter: "jobsEnded",
      labels: { firmware_version: version, outcome, reason: "none" },
      ...(by === undefined ? {} : { by }),
    });
    const values = [0.05, 0.3, 2, 7, 0.05, 1000];
    const events: MetricEvent[] = [
      ...Array.from({ length: 10 }, () => count("failed")),
      count("finished", 3),
      count("finished"),
      ...values.map(
        (value): MetricEvent => ({
          kind: "observe",
          histogram: "jobStageSeconds",
          labels: { stage: "queued", firmware_version: version },
          value,
        }),
      ),
      {
        kind: "agent",
        agentId: `${version}-a`,
        firmwareVersion: version,
        toolchains: ["avr"],
        at: "2026-12-06T10:00:00.000Z",
      },
      {
        kind: "agent",
        agentId: `${version}-b`,
        firmwareVersion: version,
        toolchains: ["arm"],
        at: "2026-12-06T10:00:01.000Z",
      },
      {
        kind: "agent",
        agentId: `${version}-a`,
        firmwareVersion: version,
        toolchains: ["avr", "arm"],
        at: "2026-12-06T10:00:02.000Z",
      },
    ];
    // A first observation, so the batch's ones are added to a stored row.
    await metricsStub().record([{ ...(events[12] as MetricEvent) }]);

    const statements = await countingStatements();
    try {
      await metricsStub().record(events);
    } finally {
      statements.stop();
    }
    // 2 counter series, 1 histogram series (read, write), 2 agents: 6 statements for 21 events.
    expect(statements.texts.filter((t) => t.includes("counters"))).toHaveLength(2);
    expect(statements.texts.filter((t) => t.includes("histograms"))).toHaveLength(2);
    expect(statements.texts.filter((t) => t.includes("agents"))).toHaveLength(2);
    expect(statements.texts).toHaveLength(6);

    const snapshot = await metricsStub().snapshot();
    const counter = (outcome: string) =>
      snapshot.counters.find((c) => c.labels.firmware_version === version && c.labels.outcome === outcome)
        ?.value;
    expect([counter("failed"), counter("finished")]).toEqual([10, 4]);
    const expected = { buckets: [] as number[], sum: 0, count: 0 };
    for (const value of [values[0]!, ...values])
      observeInto(HISTOGRAMS.jobStageSeconds.buckets, expected, value);
    const histogram = snapshot.histograms.find((h) => h.labels.firmware_version === version);
    expect(histogram && { buckets: histogram.buckets, sum: histogram.sum, count: histogram.count }).toEqual(
      expected,
    );
    const agents = (await metricsStub().agents(0, 0)).filter((a) => a.firmwareVersion === version);
    expect(agents.sort((x, y) => x.agentId.localeCompare(y.agentId))).toEqual([
      {
        agentId: `${version}-a`,
        firmwareVersion: version,
        toolchains: ["avr", "arm"],
        at: "2026-12-06T10:00:02.000Z",
      },
      {
        agentId: `${version}-b`,
        firmwareVersion: version,
        toolchains: ["arm"],
        at: "2026-12-06T10:00:01.000Z",
      },
    ]);
  });
});

describe("the Worker's metrics client", () => {
  it("makes the object's stub only in the request that makes the call", async () => {
    let made = 0;
    const namespace = new Proxy(workerEnv.METRICS, {
      get(obj, prop) {
        const value = Reflect.get(obj, prop);
        if (prop === "idFromName") made++;
        return typeof value === "function" ? value.bind(obj) : value;
      },
    });
    const batch = new MetricsBatch();
    const pending: Promise<unknown>[] = [];
    const requestMetrics = () =>
      new DurableObjectMetrics(namespace, (p) => pending.push(p), undefined, batch);
    const event: MetricEvent = {
      kind: "count",
      counter: "jobsSubmitted",
      labels: { firmware_version: `stub-${Date.now().toString(36)}`, cached: "false" },
    };
    for (let i = 0; i < 5; i++) requestMetrics().record([event]);
    requestMetrics().record([]);
    expect(made).toBe(0);
    await Promise.all(pending.splice(0));
    expect(made).toBe(1);
  });
});
