// Fixed-window rate limit shared by every API process: one counter per client and window,
// INCR + EXPIRE NX in one MULTI, so the first request of a window sets its expiry and none can miss it.
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
  }

  async limit(key: string): Promise<RateLimitDecision> {
    const { redis, limit, windowSeconds, prefix } = this.options;
    const now = this.options.now().getTime();
    const windowMs = windowSeconds * 1000;
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    const counter = `${prefix}rate:${windowStart}:${key}`;
    try {
      const replies = await redis
        .multi()
        .incr(counter)
        .expire(counter, windowSeconds + 1, "NX")
        .exec();
      const [incrError, count] = replies?.[0] ?? [new Error("empty MULTI reply"), 0];
      if (incrError) throw incrError;
      const used = Number(count);
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
