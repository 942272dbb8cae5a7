import type { JobQueueMessage } from "@qmk-edge/schema";
import type { DispatcherRpc, LobbyRpc } from "../adapters/dispatcher/durable-object/interface.ts";
import { MAX_SHARDS } from "../adapters/dispatcher/durable-object/shards.ts";
import type { RateLimiterRpc } from "../adapters/rate-limiter/durable-object/interface.ts";
import { duplicateNames, mergeTokens } from "../config/agent-tokens.ts";
import type { AppConfig } from "../config/app-config.ts";
import { appConfigOf, parseEnv, sharedEnv } from "../config/env-schema.ts";

// The Worker's bindings and vars, as wrangler.jsonc declares them. AGENT_TOKEN_HASHES is a secret in production.
export interface Env {
  BUCKET: R2Bucket;
  JOBS: Queue<JobQueueMessage>;
  DISPATCHER: DurableObjectNamespace<DispatcherRpc>;
  DISPATCHER_LOBBY: DurableObjectNamespace<LobbyRpc>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiterRpc>;
  FIRMWARE_VERSION: string;
  SERVICE_VERSION: string;
  MAX_ATTEMPTS: string;
  LEASE_SECONDS: string;
  AGENT_WINDOW_SECONDS: string;
  RATE_LIMIT_PER_MINUTE: string;
  AGENT_TOKEN_HASHES: string;
  OPERATOR_TOKEN_HASHES?: string;
  PUBLIC_BASE_URL?: string;
  // How many Dispatcher objects share the jobs (docs/architecture.md, "The sharded dispatcher"); default 1.
  // Fixed for a deployment: a job's shard is a hash of its id modulo this number.
  DISPATCHER_SHARDS?: string;
}

export interface WorkerConfig extends AppConfig {
  rateLimitPerMinute: number;
  dispatcherShards: number;
}

function shardCount(value: string | undefined): number {
  const n = Number(value === undefined || value === "" ? 1 : value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SHARDS) {
    throw new Error(
      `invalid Worker configuration: DISPATCHER_SHARDS must be an integer from 1 to ${MAX_SHARDS}`,
    );
  }
  return n;
}

const parsed = new WeakMap<object, WorkerConfig>();

// Parsed once per env object; a broken deployment fails loudly on its first request.
export function configFromEnv(env: Env): WorkerConfig {
  const known = parsed.get(env);
  if (known) return known;
  // The Worker adds no variables of its own, only bindings (typed above, not parsed).
  const result = parseEnv(sharedEnv, env as unknown as Record<string, unknown>);
  if (!result.ok) throw new Error(`invalid Worker configuration: ${result.problems.join("; ")}`);
  const v = result.value;
  const tokens = mergeTokens(v.AGENT_TOKEN_HASHES ?? []);
  const duplicates = duplicateNames(tokens).map((problem) => `AGENT_TOKEN_HASHES: ${problem}`);
  if (duplicates.length > 0) throw new Error(`invalid Worker configuration: ${duplicates.join("; ")}`);
  const config: WorkerConfig = {
    ...appConfigOf(v, { agentTokens: tokens, operatorTokenHashes: v.OPERATOR_TOKEN_HASHES ?? [] }),
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
    dispatcherShards: shardCount(env.DISPATCHER_SHARDS),
  };
  parsed.set(env, config);
  return config;
}
