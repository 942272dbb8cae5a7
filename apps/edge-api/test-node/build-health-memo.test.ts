import type { BuildHealthEntry } from "@qmk-edge/schema";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { buildHealthMemo, MemoisedBuildHealthStore } from "../src/adapters/build-health/memo.ts";
import { RedisBuildHealthStore } from "../src/adapters/build-health/redis.ts";
import { newId } from "../src/jobs/job-id.ts";

const redis = new Redis(inject("redisUrl"));
afterAll(() => redis.quit());

const broken: BuildHealthEntry = { works: false, last_tested: 1_790_000_000, message: "error: KC_NOPE" };
const works: BuildHealthEntry = { works: true, last_tested: 1_790_000_100, message: "" };

// Two API processes on one Redis, each with its own memo and clock.
function twoProcesses() {
  const prefix = `bhm-${newId().slice(0, 8)}:`;
  let now = 1_000_000;
  const clock = () => now;
  const process = () =>
    new MemoisedBuildHealthStore(new RedisBuildHealthStore(redis, prefix), buildHealthMemo(clock));
  return { a: process(), b: process(), advance: (ms: number) => (now += ms) };
}

describe("MemoisedBuildHealthStore on Redis", () => {
  it("answers a keyboard's entry from memory until the memo's time is up, then reads what another process reported", async () => {
    const { a, b, advance } = twoProcesses();
    expect(await a.entry("0.30.0", "planck/rev6")).toBeNull();
    await b.report("0.30.0", "planck/rev6", broken);
    expect(await b.entry("0.30.0", "planck/rev6")).toEqual(broken);
    // Process a read "none" a moment ago: it keeps that answer for the memo's time.
    advance(4_000);
    expect(await a.entry("0.30.0", "planck/rev6")).toBeNull();
    advance(1_001);
    expect(await a.entry("0.30.0", "planck/rev6")).toEqual(broken);
  });

  it("shows a report made through the same process at once", async () => {
    const { a } = twoProcesses();
    await a.report("0.30.0", "planck/rev6", broken);
    expect(await a.entry("0.30.0", "planck/rev6")).toEqual(broken);
    await a.report("0.30.0", "planck/rev6", works);
    expect(await a.entry("0.30.0", "planck/rev6")).toEqual(works);
  });

  it("keeps versions and keyboards apart", async () => {
    const { a, b } = twoProcesses();
    await b.report("0.30.0", "planck/rev6", broken);
    expect(await a.entry("0.29.0", "planck/rev6")).toBeNull();
    expect(await a.entry("0.30.0", "planck/rev7")).toBeNull();
    expect(await a.entry("0.30.0", "planck/rev6")).toEqual(broken);
  });
});
