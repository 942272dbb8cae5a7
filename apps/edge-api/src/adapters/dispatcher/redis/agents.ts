import type { Redis } from "ioredis";
import { agentsActiveSince } from "../../../jobs/agent-memory.ts";
import type { DispatchStats } from "../../../ports/dispatcher.ts";
import type { RedisKeys } from "./keys.ts";

// Agents seen, overall and per firmware version they build (GET /v1 is degraded without the latter), kept
// for the agent memory of jobs/agent-memory.ts. The lease and heartbeat scripts record them (lease-scripts.ts).
// POST /v1/agent/disconnect: the agent no longer counts as seen (its version is the one it last announced).
export async function forgetAgent(redis: Redis, keys: RedisKeys, agentId: string): Promise<void> {
  const version = await redis.hget(keys.agentVersion, agentId);
  const forget = redis.multi().zrem(keys.agents, agentId).hdel(keys.agentVersion, agentId);
  if (version !== null) forget.zrem(keys.agentsFor(version), agentId);
  await forget.exec();
}

export async function dispatchStats(
  redis: Redis,
  keys: RedisKeys,
  args: { now: Date; agentWindowSeconds: number; firmwareVersion: string },
): Promise<DispatchStats> {
  const since = agentsActiveSince(args.now, args.agentWindowSeconds);
  const [queued, oldest, running, seen, current, last] = await Promise.all([
    redis.zcard(keys.waitingSince),
    redis.zrange(keys.waitingSince, 0, 0, "WITHSCORES"),
    redis.zcard(keys.leases),
    redis.zcount(keys.agents, since, "+inf"),
    redis.zcount(keys.agentsFor(args.firmwareVersion), since, "+inf"),
    redis.zrevrange(keys.agents, 0, 0, "WITHSCORES"),
  ]);
  return {
    queued,
    running,
    oldestQueuedAt: oldest[1] ? new Date(Number(oldest[1])).toISOString() : null,
    agentsSeen: seen,
    agentsForVersion: current,
    lastAgentSeenAt: last[1] ? new Date(Number(last[1])).toISOString() : null,
  };
}
