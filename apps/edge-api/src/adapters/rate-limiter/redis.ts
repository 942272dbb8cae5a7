// Fixed-window rate limit shared by every API process: one counter per client and window, counted in Redis.
// The requests of one event-loop turn are counted together: one script (EVALSHA: one command, one reply)
// adds each client's requests of the turn with INCRBY and sets EXPIRE NX, atomically, so the first request
// of a window sets its expiry and none can miss it. A client's n requests of a turn get the counts T-n+1..T
// in the order they asked, exactly what n INCRs in a row would have given them.
import type { Redis } from "ioredis";
import { type Clock, systemClock } from "../../jobs/clock.ts";
import type { RateLimitDecision, RateLimiter } from "../../ports/rate-limiter.ts";
import { TurnBatch } from "../turn-batch.ts";

export interface RedisRateLimiterOptions {
  redis: Redis;
  limit: number;
  windowSeconds?: number;
  prefix?: string;
  now?: Clock;
  // Redis unreachable: the request is let through (a limiter outage must not take the API down with it).
  onError?: (err: unknown) => void;
}

// KEYS: counters  ARGV: expiry seconds, then each counter's requests  -> each counter's count after them
const COUNT_LUA = `
local used = {}
for i, key in ipairs(KEYS) do
  used[i] = redis.call('INCRBY', key, ARGV[i + 1])
  redis.call('EXPIRE', key, ARGV[1], 'NX')
end
return used`;
const COUNT_COMMAND = "qeRateCountBatch";
type CountFn = (...args: (string | number)[]) => Promise<number[]>;
// Counters per script call: a turn with more clients than this sends more than one.
const MAX_KEYS_PER_CALL = 512;

// One request waiting for its count: how to answer it once the turn's script replies.
interface Waiter {
  retryAfterSeconds: number;
  resolve: (decision: RateLimitDecision) => void;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly options: Required<Omit<RedisRateLimiterOptions, "onError">> & {
    onError: (err: unknown) => void;
  };
  // This turn's requests by counter, in the order they asked; counted at the end of the turn.
  readonly #turn = new TurnBatch<Waiter>((batch) => this.#count(batch), MAX_KEYS_PER_CALL);

  constructor(options: RedisRateLimiterOptions) {
    this.options = {
      windowSeconds: 60,
      prefix: "qmk-edge:",
      now: systemClock,
      onError: () => {},
      ...options,
    };
    // ioredis sends EVALSHA, and the script itself once when Redis does not know it (NOSCRIPT).
    options.redis.defineCommand(COUNT_COMMAND, { lua: COUNT_LUA });
  }

  limit(key: string): Promise<RateLimitDecision> {
    const { windowSeconds, prefix } = this.options;
    const now = this.options.now().getTime();
    const windowMs = windowSeconds * 1000;
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    const counter = `${prefix}rate:${windowStart}:${key}`;
    return new Promise((resolve) => this.#turn.add(counter, { retryAfterSeconds, resolve }));
  }

  async #count(batch: [string, Waiter[]][]): Promise<void> {
    const { redis, limit, windowSeconds } = this.options;
    let totals: number[];
    try {
      const count = (redis as unknown as Record<string, CountFn>)[COUNT_COMMAND]!;
      const keys = batch.map(([counter]) => counter);
      const counts = batch.map(([, waiters]) => waiters.length);
      totals = (await count.call(redis, keys.length, ...keys, windowSeconds + 1, ...counts)).map(Number);
    } catch (err) {
      for (const [, waiters] of batch) {
        for (const w of waiters) {
          this.options.onError(err);
          w.resolve({ allowed: true, remaining: limit, retryAfterSeconds: 0 });
        }
      }
      return;
    }
    batch.forEach(([, waiters], k) => {
      const first = totals[k]! - waiters.length + 1;
      waiters.forEach((w, i) => {
        const used = first + i;
        const allowed = used <= limit;
        w.resolve({
          allowed,
          remaining: Math.max(0, limit - used),
          retryAfterSeconds: allowed ? 0 : w.retryAfterSeconds,
        });
      });
    });
  }
}
