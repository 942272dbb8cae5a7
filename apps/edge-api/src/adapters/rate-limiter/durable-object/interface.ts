import type { RateLimitDecision } from "../../../ports/rate-limiter.ts";

// The remote call of a RateLimiterObject (object.ts), as its binding and client (client.ts) see it; the Worker's
// env (config/worker-env.ts) is typed by this, not by the class.
export interface RateLimiterRpc extends Rpc.DurableObjectBranded {
  limit(max: number, windowSeconds: number): Promise<RateLimitDecision>;
}
