import { DurableObject } from "cloudflare:workers";
import { type Clock, systemClock } from "../../../jobs/clock.ts";
import type { RateLimitDecision } from "../../../ports/rate-limiter.ts";
import type { RateLimiterBindings, RateLimiterRpc } from "./interface.ts";

// One object per client key (the client IP): a fixed-window counter in SQLite.
export class RateLimiterObject extends DurableObject<RateLimiterBindings> implements RateLimiterRpc {
  readonly #sql: SqlStorage;
  // Built by the runtime, so the clock cannot be passed in.
  readonly #now: Clock = systemClock;

  constructor(ctx: DurableObjectState, env: RateLimiterBindings) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY CHECK (id = 1), window INTEGER, count INTEGER)",
    );
  }

  async limit(max: number, windowSeconds: number): Promise<RateLimitDecision> {
    const windowMs = windowSeconds * 1000;
    const now = this.#now().getTime();
    const window = Math.floor(now / windowMs);
    const row = this.#sql
      .exec<{ window: number; count: number }>("SELECT window, count FROM hits WHERE id = 1")
      .toArray()[0];
    const count = row && row.window === window ? row.count + 1 : 1;
    this.#sql.exec(
      "INSERT INTO hits (id, window, count) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET window = excluded.window, count = excluded.count",
      window,
      count,
    );
    return {
      allowed: count <= max,
      remaining: Math.max(0, max - count),
      retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000)),
    };
  }
}
