// The environment both runtimes read (Worker vars and secrets, Node environment variables), with one set of
// bounds. Each runtime extends it with its own settings only: workers/env.ts (bindings) and
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
  // Keyboard build health: idle trusted agents build every keyboard's default keymap (on by default).
  BUILD_HEALTH: z.enum(["on", "off"]).default("on"),
  BUILD_HEALTH_MAX_PER_HOUR: int(0, 1_000_000).default(0),
  BUILD_HEALTH_RETEST_HOURS: int(1, 24 * 365).default(24),
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
