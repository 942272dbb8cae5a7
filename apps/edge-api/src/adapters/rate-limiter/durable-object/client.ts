import type { RateLimitDecision, RateLimiter } from "../../../ports/rate-limiter.ts";
import type { RateLimiterRpc } from "./interface.ts";

// The RateLimiter port on Workers: one RateLimiterObject per client key, fixed windows.
export class DurableObjectRateLimiter implements RateLimiter {
  readonly #namespace: DurableObjectNamespace<RateLimiterRpc>;
  readonly #max: number;
  readonly #windowSeconds: number;

  constructor(namespace: DurableObjectNamespace<RateLimiterRpc>, max: number, windowSeconds = 60) {
    this.#namespace = namespace;
    this.#max = max;
    this.#windowSeconds = windowSeconds;
  }

  async limit(key: string): Promise<RateLimitDecision> {
    try {
      const stub = this.#namespace.get(this.#namespace.idFromName(key));
      return (await stub.limit(this.#max, this.#windowSeconds)) as RateLimitDecision;
    } catch (err) {
      // A limiter outage must not take compiles down with it.
      console.error("rate limiter unavailable; allowing the request", err);
      return { allowed: true, remaining: 0, retryAfterSeconds: 0 };
    }
  }
}
