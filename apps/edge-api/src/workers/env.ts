import type { BuildHealthBindings } from "../adapters/build-health/durable-object/interface.ts";
import type { DispatcherBindings } from "../adapters/dispatcher/durable-object/interface.ts";
import type { MetricsBindings } from "../adapters/metrics/durable-object/interface.ts";
import type { RateLimiterBindings } from "../adapters/rate-limiter/durable-object/interface.ts";
import { duplicateNames, mergeTokens } from "../config/agent-tokens.ts";
import type { AppConfig } from "../config/app-config.ts";
import { appConfigOf, dispatcherEnv, parseEnv, sharedEnv } from "../config/env-schema.ts";

// The Worker's bindings and vars, as wrangler.jsonc declares them: what each Durable Object declares it
// needs (its interface.ts; DISPATCHER_SHARDS and DISPATCHER_LOBBY are the Dispatcher's), and the vars of the
// shared schema; scripts/deploy-check.ts holds it and wrangler.jsonc together. The token hashes are secrets;
// unset, no token is accepted.
export interface Env extends DispatcherBindings, RateLimiterBindings, MetricsBindings, BuildHealthBindings {
  FIRMWARE_VERSION: string;
  SERVICE_VERSION: string;
  MAX_ATTEMPTS: string;
  LEASE_SECONDS: string;
  AGENT_WINDOW_SECONDS?: string;
  NO_AGENT_WAIT_SECONDS?: string;
  REFUSAL_JOB_ORIGINS?: string;
  RATE_LIMIT_PER_MINUTE: string;
  AGENT_TOKEN_HASHES?: string;
  OPERATOR_TOKEN_HASHES?: string;
  PUBLIC_BASE_URL?: string;
  BUILD_HEALTH: string;
  BUILD_HEALTH_MAX_PER_HOUR: string;
  BUILD_HEALTH_RETEST_HOURS: string;
  // Workers static assets (wrangler.jsonc `assets.binding`): a built QMK Configurator on the API's origin.
  ASSETS?: Fetcher;
}

export interface WorkerConfig extends AppConfig {
  rateLimitPerMinute: number;
  dispatcherShards: number;
}

const parsed = new WeakMap<object, WorkerConfig>();

// Parsed once per env object; a broken deployment fails loudly on its first request.
export function configFromEnv(env: Env): WorkerConfig {
  const known = parsed.get(env);
  if (known) return known;
  // The Worker's own variable is DISPATCHER_SHARDS (dispatcherEnv); its bindings are typed, not parsed.
  const result = parseEnv(sharedEnv.extend(dispatcherEnv.shape), env as unknown as Record<string, unknown>);
  if (!result.ok) throw new Error(`invalid Worker configuration: ${result.problems.join("; ")}`);
  const v = result.value;
  const tokens = mergeTokens(v.AGENT_TOKEN_HASHES ?? []);
  const duplicates = duplicateNames(tokens).map((problem) => `AGENT_TOKEN_HASHES: ${problem}`);
  if (duplicates.length > 0) throw new Error(`invalid Worker configuration: ${duplicates.join("; ")}`);
  const config: WorkerConfig = {
    ...appConfigOf(v, { agentTokens: tokens, operatorTokenHashes: v.OPERATOR_TOKEN_HASHES ?? [] }),
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
    dispatcherShards: v.DISPATCHER_SHARDS,
  };
  parsed.set(env, config);
  return config;
}
