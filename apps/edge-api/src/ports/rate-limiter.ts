// Fixed-window limit per client key (the client IP) on POST /v1/compile.
export interface RateLimitDecision {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

export interface RateLimiter {
  limit(key: string): Promise<RateLimitDecision>;
}
