// Fixed-window rate limit shared by every API process: one counter per client and window,
// INCR + EXPIRE NX in one script (EVALSHA: one command and one reply, where a MULTI took four), run
// atomically, so the first request of a window sets its expiry and none can miss it.
import type { Redis } from "ioredis";
import { type Clock, systemClock } from "../../jobs/clock.ts";
import type { RateLimitDecision, RateLimiter } from "../../ports/rate-limiter.ts";

export interface RedisRateLimiterOptions {
  redis: Redis;
  limit: number;
  windowSeconds?: number;
  prefix?: string;
  now?: Clock;
  // Redis unreachable: the request is let through (a limiter outage must not take the API down with it).
  onError?: (err: unknown) => void;
}

// KEYS: counter  ARGV: expiry seconds  -> the count after this request
const COUNT_LUA = `
local used = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
return used`;
const COUNT_COMMAND = "qeRateCount";
type CountFn = (counter: string, expirySeconds: number) => Promise<number>;

export class RedisRateLimiter implements RateLimiter {
  private readonly options: Required<Omit<RedisRateLimiterOptions, "onError">> & {
    onError: (err: unknown) => void;
  };

  constructor(options: RedisRateLimiterOptions) {
    this.options = {
      windowSeconds: 60,
      prefix: "qmk-edge:",
      now: systemClock,
      onError: () => {},
      ...options,
    };
    // ioredis sends EVALSHA, and the script itself once when Redis does not know it (NOSCRIPT).
    options.redis.defineCommand(COUNT_COMMAND, { numberOfKeys: 1, lua: COUNT_LUA });
  }

  async limit(key: string): Promise<RateLimitDecision> {
    const { redis, limit, windowSeconds, prefix } = this.options;
    const now = this.options.now().getTime();
    const windowMs = windowSeconds * 1000;
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    const counter = `${prefix}rate:${windowStart}:${key}`;
    try {
      const count = (redis as unknown as Record<string, CountFn>)[COUNT_COMMAND]!;
      const used = Number(await count.call(redis, counter, windowSeconds + 1));
      const allowed = used <= limit;
      return {
        allowed,
        remaining: Math.max(0, limit - used),
        retryAfterSeconds: allowed ? 0 : retryAfterSeconds,
      };
    } catch (err) {
      this.options.onError(err);
      return { allowed: true, remaining: limit, retryAfterSeconds: 0 };
    }
  }
}
