// The environment both runtimes read (Worker vars and secrets, Node environment variables), with one set of
// bounds. Each runtime extends it with its own settings only: workers/env.ts (bindings, dispatcherEnv) and
// node/config.ts (listen address, Redis, storage, plain tokens).
import { firmwareVersion } from "@qmk-edge/schema";
import { z } from "zod";
import { agentWindowSecondsOf } from "../jobs/agent-memory.ts";
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
  // Unset: a lease (at least 30 s, past the longest lease poll), so an agent that stops heartbeating or polling
  // turns GET /v1 `degraded` within a lease (jobs/agent-memory.ts agentWindowSecondsOf).
  AGENT_WINDOW_SECONDS: int(1, 24 * 3600).optional(),
  // A queued job fails ("no build agent is online ...") once it has waited this long with no agent for its
  // firmware version connected (jobs/no-agent.ts).
  NO_AGENT_WAIT_SECONDS: int(1, 24 * 3600).default(180),
  // Which compile requests are refused as a job that failed at once (2xx + a readable `result.output`) rather
  // than a 4xx/5xx: `*` any request with an Origin header (a browser page such as QMK Configurator, which
  // shows nothing of an error answer), a comma-separated list of origins, or `none` (http/refusal-as-job.ts).
  REFUSAL_JOB_ORIGINS: z
    .string()
    .transform((value, ctx) => {
      const text = value.trim();
      if (text === "*" || text === "none") return text;
      const origins = splitList(text);
      for (const [i, origin] of origins.entries()) {
        if (!isOrigin(origin))
          ctx.addIssue({
            code: "custom",
            path: [i],
            message: "an origin such as https://config.example.org",
          });
      }
      return origins;
    })
    .default("*"),
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
  // Keyboard build health: idle trusted agents build every keyboard's default keymap (on by default).
  BUILD_HEALTH: z.enum(["on", "off"]).default("on"),
  BUILD_HEALTH_MAX_PER_HOUR: int(0, 1_000_000).default(0),
  BUILD_HEALTH_RETEST_HOURS: int(1, 24 * 365).default(24),
  // What lets a community build into the shared build cache (jobs/build-cache.ts): `trusted-reproduction`, a
  // trusted token's byte-identical build; `two-tokens`, any second token's (the operator trusts that no one
  // holds two community tokens).
  COMMUNITY_CACHE_POLICY: z.enum(["trusted-reproduction", "two-tokens"]).default("trusted-reproduction"),
});

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return /^https?:$/.test(url.protocol) && url.origin === text;
  } catch {
    return false;
  }
}

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
    agentWindowSeconds: v.AGENT_WINDOW_SECONDS ?? agentWindowSecondsOf(v.LEASE_SECONDS),
    noAgentWaitSeconds: v.NO_AGENT_WAIT_SECONDS,
    refusalJobOrigins: v.REFUSAL_JOB_ORIGINS,
    communityCachePolicy: v.COMMUNITY_CACHE_POLICY,
    ...(v.PUBLIC_BASE_URL ? { publicBaseUrl: v.PUBLIC_BASE_URL } : {}),
    buildHealth: {
      enabled: v.BUILD_HEALTH === "on",
      retestSeconds: v.BUILD_HEALTH_RETEST_HOURS * 3600,
      maxPerHour: v.BUILD_HEALTH_MAX_PER_HOUR === 0 ? null : v.BUILD_HEALTH_MAX_PER_HOUR,
      // Long enough for a cold build on a real tree (1-4 min measured), short enough to recover a dead agent.
      claimSeconds: 600,
    },
  };
}
