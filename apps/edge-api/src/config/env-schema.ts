// The environment both runtimes read (Worker vars and secrets, Node environment variables), with one set of
// bounds. Each runtime extends it with its own settings only: workers/env.ts (bindings, dispatcherEnv) and
// node/config.ts (listen address, Redis, storage, plain tokens).
import { firmwareVersion } from "@qmk-edge/schema";
import { z } from "zod";
import { type AgentToken, agentTokensFromHashes, splitList } from "./agent-tokens.ts";
import type { AppConfig } from "./app-config.ts";

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const sha256List = z
  .string()
  .transform((s) => splitList(s).map((h) => h.toLowerCase()))
  .pipe(z.array(z.string().regex(/^[0-9a-f]{64}$/, "sha256 hex digests, comma-separated")));

export const sharedEnv = z.object({
  // The job record schema's own rule, so every version the API accepts can be stored.
  FIRMWARE_VERSION: firmwareVersion.default("demo-1"),
  SERVICE_VERSION: z.string().min(1),
  MAX_ATTEMPTS: int(1, 100).default(3),
  // Agents heartbeat at a third of it; seconds-long leases are what the expiry and fault suites run with.
  LEASE_SECONDS: int(2, 24 * 3600).default(60),
  AGENT_WINDOW_SECONDS: int(1, 24 * 3600).default(120),
  // Load and fuzz suites lift it out of the way with 10^7-10^8.
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000_000).default(60),
  // Entries `<sha256>` or `<name>:<trusted|community>:<sha256>` (see agent-tokens.ts); merged by the runtime.
  AGENT_TOKEN_HASHES: z
    .string()
    .transform((value, ctx) => {
      const { tokens, problems } = agentTokensFromHashes(value);
      for (const message of problems) ctx.addIssue({ code: "custom", message });
      return tokens;
    })
    .optional(),
  OPERATOR_TOKEN_HASHES: sha256List.optional(),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  // What lets a community build into the shared build cache (jobs/build-cache.ts): `trusted-reproduction`, a
  // trusted token's byte-identical build; `two-tokens`, any second token's (the operator trusts that no one
  // holds two community tokens).
  COMMUNITY_CACHE_POLICY: z.enum(["trusted-reproduction", "two-tokens"]).default("trusted-reproduction"),
});

// The Worker's own variables (workers/env.ts; the Dispatcher objects read them through their interface.ts).
// DISPATCHER_SHARDS: how many Dispatcher objects share the jobs (docs/architecture.md, "The sharded
// dispatcher"); 1, the default, is the one object of before sharding. Fixed for a deployment: a job's shard
// is a hash of its id modulo this number, so changing it strands the queued jobs of the other shards.
export const MAX_DISPATCHER_SHARDS = 64;
export const dispatcherEnv = z.object({
  DISPATCHER_SHARDS: int(1, MAX_DISPATCHER_SHARDS).default(1),
});

// Parses an environment; empty variables count as unset, as in most shells' `VAR= cmd` (and wrangler's
// `"PUBLIC_BASE_URL": ""`). Returns the problems by variable name (and list entry), all at once.
export function parseEnv<T extends z.ZodType>(
  schema: T,
  env: Record<string, unknown>,
): { ok: true; value: z.infer<T> } | { ok: false; problems: string[] } {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(present);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((i) => {
    const [name, entry] = i.path;
    return `${String(name)}: ${entry === undefined ? "" : `entry ${Number(entry) + 1}: `}${i.message}`;
  });
  return { ok: false, problems };
}

// The app's configuration from the shared variables; the runtime brings the tokens it merged (the Worker
// takes hashes only, Node plain tokens as well).
export function appConfigOf(
  v: z.infer<typeof sharedEnv>,
  tokens: { agentTokens: AgentToken[]; operatorTokenHashes: string[] },
): AppConfig {
  return {
    serviceVersion: v.SERVICE_VERSION,
    firmwareVersion: v.FIRMWARE_VERSION,
    ...tokens,
    maxAttempts: v.MAX_ATTEMPTS,
    leaseSeconds: v.LEASE_SECONDS,
    agentWindowSeconds: v.AGENT_WINDOW_SECONDS,
    communityCachePolicy: v.COMMUNITY_CACHE_POLICY,
    ...(v.PUBLIC_BASE_URL ? { publicBaseUrl: v.PUBLIC_BASE_URL } : {}),
  };
}
