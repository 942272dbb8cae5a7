import { Redis } from "ioredis";

// The dispatcher's (and rate limiter's) command connection.
// `name` (CLIENT SETNAME) lets an operator, and a test, count a process's connections.
export function connectRedis(url: string, name?: string): Redis {
  const redis = new Redis(url, {
    ...(name ? { connectionName: name } : {}),
    // Fail fast while Redis is down: the route answers 503 and the agent (or client) retries.
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(times * 50, 1000),
  });
  // Without a listener ioredis logs every reconnect failure itself; commands still report errors.
  redis.on("error", () => {});
  return redis;
}
