import { describe, expect, it } from "vitest";
import { DurableObjectMetrics } from "../src/adapters/metrics/durable-object/client.ts";
import { PRESENCE_REFRESH_MS, presenceMemo } from "../src/adapters/metrics/presence.ts";
import type { MetricEvent } from "../src/ports/metrics.ts";
import { countingEnv } from "../test-support/binding-counter.worker.ts";
import { workerEnv } from "../test-support/target.worker.ts";

// Every idle agent's lease poll reports its presence; the one MetricsObject must not take a call per poll.
// The isolate's memo (one per isolate, beside its stores) lets an agent's presence through again only after
// PRESENCE_REFRESH_MS or when what it announces changes. The clock is the test's, so nothing depends on speed.

const seen = (agentId: string, toolchains = ["avr"]): MetricEvent => ({
  kind: "agent",
  agentId,
  firmwareVersion: "demo-1",
  toolchains,
  at: new Date().toISOString(),
});

describe("agent presence sent to the metrics object", () => {
  it("goes once per agent per refresh time, again when it changes, and never holds back counters", async () => {
    const meter = countingEnv(workerEnv);
    let nowMs = 1_000_000;
    const memo = presenceMemo(() => nowMs);
    const pending: Promise<unknown>[] = [];
    const requestMetrics = () => new DurableObjectMetrics(meter.env.METRICS, (p) => pending.push(p), memo);
    const calls = async (events: MetricEvent[]) => {
      meter.reset();
      requestMetrics().record(events);
      await Promise.all(pending.splice(0));
      return meter.counts["do.METRICS.record"] ?? 0;
    };

    expect(await calls([seen("presence-a")])).toBe(1);
    // The next polls of the same agent, each through a new request's store as on Workers: no call.
    expect(await calls([seen("presence-a")])).toBe(0);
    nowMs += PRESENCE_REFRESH_MS - 1;
    expect(await calls([seen("presence-a")])).toBe(0);
    // Another agent, or the same one announcing other toolchains, is news.
    expect(await calls([seen("presence-b")])).toBe(1);
    expect(await calls([seen("presence-a", ["avr", "arm"])])).toBe(1);
    // After the refresh time the agent is sent again, so it stays within the agent window.
    nowMs += PRESENCE_REFRESH_MS;
    expect(await calls([seen("presence-b")])).toBe(1);
    // Counters ride along even when the presence beside them is held back.
    const counted: MetricEvent = {
      kind: "count",
      counter: "jobsSubmitted",
      labels: { firmware_version: "demo-1", cached: "false" },
    };
    expect(await calls([seen("presence-b"), counted])).toBe(1);

    const agents = await requestMetrics().agents(new Date(), 3600);
    expect(agents.map((a) => a.agentId)).toEqual(expect.arrayContaining(["presence-a", "presence-b"]));
  });
});
