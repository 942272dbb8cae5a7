import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { PRESENCE_REFRESH_MS, presenceMemo } from "../src/adapters/metrics/presence.ts";
import { PromClientMetrics } from "../src/adapters/metrics/prom-client.ts";
import { newId } from "../src/jobs/job-id.ts";
import type { MetricEvent } from "../src/ports/metrics.ts";

// Every lease poll reports the agent's presence; on Node it goes to a Redis hash every API process shares.
// A process writes an agent's presence once per PRESENCE_REFRESH_MS (or when it changes), not per poll. The
// clock is the test's; commands on one connection run in order, so a read after `record` sees its write.
const redis = new Redis(inject("redisUrl"));
afterAll(() => redis.quit());

const seen = (agentId: string, at: string, toolchains = ["avr"]): MetricEvent => ({
  kind: "agent",
  agentId,
  firmwareVersion: "demo-1",
  toolchains,
  at,
});

describe("agent presence on Node", () => {
  it("is written once per agent per refresh time, again when it changes, and counters are never held back", async () => {
    const prefix = `pres-${newId().slice(0, 8)}:`;
    let nowMs = 1_000_000;
    const metrics = new PromClientMetrics({ redis, prefix, sentPresence: presenceMemo(() => nowMs) });
    const stored = async (agentId: string) => {
      const text = await redis.hget(`${prefix}metrics:agents`, agentId);
      return text === null ? null : (JSON.parse(text) as { at: string; t: string[] });
    };

    metrics.record([seen("a1", "2026-12-06T10:00:00.000Z"), seen("a2", "2026-12-06T10:00:00.000Z")]);
    expect((await stored("a1"))?.at).toBe("2026-12-06T10:00:00.000Z");

    nowMs += PRESENCE_REFRESH_MS - 1;
    metrics.record([
      seen("a1", "2026-12-06T10:00:09.000Z"),
      { kind: "count", counter: "jobsSubmitted", labels: { firmware_version: "demo-1", cached: "false" } },
    ]);
    expect((await stored("a1"))?.at).toBe("2026-12-06T10:00:00.000Z");
    const submitted = (await metrics.counters()).filter((c) => c.name === "qmk_edge_jobs_submitted_total");
    expect(submitted.map((c) => c.value)).toEqual([1]);
    // A changed announcement is news at once.
    metrics.record([seen("a2", "2026-12-06T10:00:09.500Z", ["avr", "arm"])]);
    expect(await stored("a2")).toMatchObject({ at: "2026-12-06T10:00:09.500Z", t: ["avr", "arm"] });

    nowMs += 1;
    metrics.record([seen("a1", "2026-12-06T10:00:10.000Z")]);
    expect((await stored("a1"))?.at).toBe("2026-12-06T10:00:10.000Z");
  });
});
