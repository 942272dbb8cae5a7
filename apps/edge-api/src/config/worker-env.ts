import type { JobQueueMessage } from "@qmk-edge/schema";
import { z } from "zod";
import type { DispatcherRpc } from "../adapters/dispatcher/durable-object/interface.ts";
import type { RateLimiterRpc } from "../adapters/rate-limiter/durable-object/interface.ts";
import { agentTokensFromHashes, duplicateNames, mergeTokens, splitList } from "../agent-tokens.ts";
import type { AppConfig } from "../deps.ts";

// The Worker's bindings and vars, as wrangler.jsonc declares them. AGENT_TOKEN_HASHES is a secret in production.
export interface Env {
  BUCKET: R2Bucket;
  JOBS: Queue<JobQueueMessage>;
  DISPATCHER: DurableObjectNamespace<DispatcherRpc>;
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
}

export interface WorkerConfig extends AppConfig {
  rateLimitPerMinute: number;
}

const positiveInt = z.coerce.number().int().positive();

const envSchema = z.object({
  FIRMWARE_VERSION: z.string().min(1),
  SERVICE_VERSION: z.string().min(1),
  MAX_ATTEMPTS: positiveInt,
  LEASE_SECONDS: positiveInt,
  AGENT_WINDOW_SECONDS: positiveInt,
  RATE_LIMIT_PER_MINUTE: positiveInt,
  AGENT_TOKEN_HASHES: z.string().transform((list, ctx) => {
    const { tokens, problems } = agentTokensFromHashes(list);
    for (const message of [...problems, ...duplicateNames(tokens)]) ctx.addIssue({ code: "custom", message });
    return mergeTokens(tokens);
  }),
  OPERATOR_TOKEN_HASHES: z
    .string()
    .optional()
    .transform((s) => splitList(s ?? "").map((h) => h.toLowerCase()))
    .pipe(z.array(z.string().regex(/^[0-9a-f]{64}$/, "sha256 hex digests, comma-separated"))),
  PUBLIC_BASE_URL: z.union([z.literal(""), z.url()]).optional(),
});

const parsed = new WeakMap<object, WorkerConfig>();

// Parsed once per env object; a broken deployment fails loudly on its first request.
export function configFromEnv(env: Env): WorkerConfig {
  const known = parsed.get(env);
  if (known) return known;
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid Worker configuration: ${detail}`);
  }
  const v = result.data;
  const config: WorkerConfig = {
    serviceVersion: v.SERVICE_VERSION,
    firmwareVersion: v.FIRMWARE_VERSION,
    agentTokens: v.AGENT_TOKEN_HASHES,
    operatorTokenHashes: v.OPERATOR_TOKEN_HASHES,
    maxAttempts: v.MAX_ATTEMPTS,
    leaseSeconds: v.LEASE_SECONDS,
    agentWindowSeconds: v.AGENT_WINDOW_SECONDS,
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
    ...(v.PUBLIC_BASE_URL ? { publicBaseUrl: v.PUBLIC_BASE_URL } : {}),
  };
  parsed.set(env, config);
  return config;
}
