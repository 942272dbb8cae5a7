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

  it("counts the requests of one event-loop turn in one Redis command, each in the order it asked", async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 10);
    const rl = limiter(3, () => now);
    await rl.limit("198.18.1.0"); // Redis knows the script (a first call may send it whole)
    const sent: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command, stream) => {
      sent.push(command.name);
      return send(command, stream);
    };
    try {
      const a = Array.from({ length: 5 }, () => rl.limit("198.18.1.1"));
      const b = [rl.limit("198.18.1.2"), rl.limit("198.18.1.2")];
      const decisions = await Promise.all([...a, ...b]);
      expect(sent).toEqual(["evalsha"]);
      expect(decisions.slice(0, 5)).toEqual([
        { allowed: true, remaining: 2, retryAfterSeconds: 0 },
        { allowed: true, remaining: 1, retryAfterSeconds: 0 },
        { allowed: true, remaining: 0, retryAfterSeconds: 0 },
        { allowed: false, remaining: 0, retryAfterSeconds: 50 },
        { allowed: false, remaining: 0, retryAfterSeconds: 50 },
      ]);
      expect(decisions.slice(5).map((d) => d.remaining)).toEqual([2, 1]);
      // The next turn goes on from the counts Redis holds.
      expect(await rl.limit("198.18.1.2")).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
      expect(sent).toEqual(["evalsha", "evalsha"]);
      now += 50_000; // the next window
      expect((await rl.limit("198.18.1.1")).remaining).toBe(2);
    } finally {
      redis.sendCommand = send;
    }
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
    const turn = await Promise.all([rl.limit("x"), rl.limit("x"), rl.limit("y")]);
    expect(turn).toEqual(Array(3).fill({ allowed: true, remaining: 1, retryAfterSeconds: 0 }));
    expect(errors).toHaveLength(4);
    down.disconnect();
  });
});
