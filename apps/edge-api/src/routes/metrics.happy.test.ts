import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, submit } from "../../test-support/api-client.ts";
import { scrape, scrapeUntil, series } from "../../test-support/prometheus.ts";

const agent = new Agent(target, "metrics-agent", ["avr"]);
const v = target.firmwareVersion;
const submitted = (cached: string) =>
  series("qmk_edge_jobs_submitted_total", { firmware_version: v, cached });
const ended = (outcome: string, reason: string) =>
  series("qmk_edge_jobs_ended_total", { firmware_version: v, outcome, reason });
const lookups = (result: string) =>
  series("qmk_edge_build_cache_lookups_total", { firmware_version: v, result });
const compileCount = series("qmk_edge_job_stage_seconds_count", { firmware_version: v, stage: "compile" });
const metric = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;

describe("GET /metrics", () => {
  it("answers Prometheus text with every metric named, the same on both runtimes", async () => {
    const { status, text } = await scrape(target);
    expect(status).toBe(200);
    for (const name of [
      "qmk_edge_jobs_submitted_total",
      "qmk_edge_jobs_ended_total",
      "qmk_edge_build_cache_lookups_total",
      "qmk_edge_job_stage_seconds",
      "qmk_edge_queue_depth",
      "qmk_edge_queue_oldest_age_seconds",
      "qmk_edge_jobs_running",
      "qmk_edge_agents_connected",
      "qmk_edge_build_cache_hit_ratio",
      "qmk_edge_catalogue_age_seconds",
      "qmk_edge_build_health_age_seconds",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it("moves the counters after a few jobs: submitted, cache hit, finished, failed by reason, stage times", async () => {
    await agent.drain();
    const before = (await scrape(target)).samples;

    const body = compileBody();
    const built = await submit(target, body);
    await target.deliverQueue();
    await agent.build(built);
    await submit(target, body); // answered by the build cache
    const broken = await submit(target, compileBody());
    await target.deliverQueue();
    const lease = await agent.leaseJob(broken);
    expect(
      (await agent.complete(lease, { status: "failed", returncode: 2, output: "error: nope\n" })).status,
    ).toBe(200);
    const queued = await submit(target, compileBody());
    await target.deliverQueue();

    const delta = (after: Map<string, number>, key: string) => metric(after, key) - metric(before, key);
    const after = await scrapeUntil(
      target,
      (s) =>
        delta(s, submitted("false")) >= 3 &&
        delta(s, ended("failed", "build_error")) >= 1 &&
        delta(s, compileCount) >= 2,
    );
    expect(delta(after, submitted("false"))).toBe(3);
    expect(delta(after, submitted("true"))).toBe(1);
    expect(delta(after, lookups("hit"))).toBe(1);
    expect(delta(after, lookups("miss"))).toBe(3);
    expect(delta(after, ended("finished", "none"))).toBe(1);
    expect(delta(after, ended("failed", "build_error"))).toBe(1);
    expect(delta(after, compileCount)).toBe(2);
    expect(metric(after, series("qmk_edge_queue_depth", { firmware_version: v }))).toBeGreaterThanOrEqual(1);
    expect(
      metric(after, series("qmk_edge_agents_connected", { firmware_version: v, toolchain: "avr" })),
    ).toBeGreaterThanOrEqual(1);
    const ratio = metric(after, series("qmk_edge_build_cache_hit_ratio", { firmware_version: v }));
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);

    const leftover = await agent.leaseJob(queued);
    await agent.complete(leftover, { status: "failed", returncode: 1 });
  });
});
