import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { RedisRateLimiter } from "../src/adapters/rate-limiter/redis.ts";
import { newId } from "../src/jobs/job-id.ts";

const redis = new Redis(inject("redisUrl"));
afterAll(() => redis.quit());

function limiter(limit: number, clock: () => number = Date.now) {
  const now = () => new Date(clock());
  return new RedisRateLimiter({
    redis,
    limit,
    windowSeconds: 60,
    prefix: `rl-${newId().slice(0, 8)}:`,
    now,
  });
}

describe("RedisRateLimiter", () => {
  it("allows `limit` requests per client and window, then refuses with the seconds left", async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 10);
    const rl = limiter(3, () => now);
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await rl.limit("198.18.0.1"));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    expect(decisions[3]!.retryAfterSeconds).toBe(50);
    expect((await rl.limit("198.18.0.2")).allowed).toBe(true);
    now += 50_000; // the next window
    expect(await rl.limit("198.18.0.1")).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
  });

  it("counts one client across API processes sharing the Redis", async () => {
    const prefix = `rl-${newId().slice(0, 8)}:`;
    const a = new RedisRateLimiter({ redis, limit: 2, prefix });
    const b = new RedisRateLimiter({ redis, limit: 2, prefix });
    const results = await Promise.all([a.limit("c"), b.limit("c"), a.limit("c"), b.limit("c")]);
    expect(results.filter((r) => r.allowed)).toHaveLength(2);
  });

  it("sets an expiry on every counter, so idle clients leave nothing behind", async () => {
    const prefix = `rl-${newId().slice(0, 8)}:`;
    await new RedisRateLimiter({ redis, limit: 5, prefix }).limit("ttl-client");
    const [key] = await redis.keys(`${prefix}rate:*`);
    expect(key).toBeDefined();
    const ttl = await redis.ttl(key!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(61);
  });

  it("lets requests through when Redis is unreachable, and reports the error", async () => {
    const down = new Redis("redis://127.0.0.1:9", {
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    down.on("error", () => {});
    const errors: unknown[] = [];
    const rl = new RedisRateLimiter({ redis: down, limit: 1, onError: (e) => errors.push(e) });
    expect((await rl.limit("x")).allowed).toBe(true);
    expect(errors).toHaveLength(1);
    down.disconnect();
  });
});
