import type { RateLimitDecision } from "../../../ports/rate-limiter.ts";

// The binding the Worker reaches the objects by (the client, client.ts); the object itself reads no binding
// or var. The Worker's Env (workers/env.ts) is built from this and the Dispatcher's bindings.
export interface RateLimiterBindings {
  RATE_LIMITER: DurableObjectNamespace<RateLimiterRpc>;
}

// The remote call of a RateLimiterObject (object.ts), as its binding and client (client.ts) see it; the Worker's
// env (workers/env.ts) is typed by this, not by the class.
export interface RateLimiterRpc extends Rpc.DurableObjectBranded {
  limit(max: number, windowSeconds: number): Promise<RateLimitDecision>;
}
