// Configuration of the self-hosted (Node) API, from environment variables, checked once at start.
// Every problem is reported at once, by variable name, so a broken deployment says what to fix.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { S3BlobStoreConfig } from "./adapters/blob-store/s3.ts";
import {
  type AgentToken,
  agentTokensFromHashes,
  defaultTokenId,
  duplicateNames,
  mergeTokens,
  parseTokenEntry,
  splitList,
} from "./agent-tokens.ts";
import type { AppConfig } from "./deps.ts";

// The S3 variant is the adapter's own config with every setting the environment decides made explicit.
export type StorageConfig =
  | { kind: "fs"; dir: string }
  | ({ kind: "s3" } & Required<
      Pick<
        S3BlobStoreConfig,
        "endpoint" | "bucket" | "region" | "accessKeyId" | "secretAccessKey" | "forcePathStyle" | "prefix"
      >
    >);

export interface NodeConfig {
  port: number;
  host: string;
  redisUrl: string;
  redisPrefix: string;
  storage: StorageConfig;
  rateLimitPerMinute: number;
  // Take the client address from the last X-Forwarded-For hop (only behind a proxy that sets it).
  trustProxy: boolean;
  reaperIntervalMs: number;
  app: AppConfig;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["1", "0", "true", "false", "yes", "no", ""].includes(v), "true or false")
  .transform((v) => v === "1" || v === "true" || v === "yes");
const list = z.string().transform((s) =>
  s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean),
);

const envSchema = z.object({
  PORT: int(0, 65535).default(8787),
  HOST: z.string().min(1).default("127.0.0.1"),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "a redis:// or rediss:// URL" }),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}:.-]{1,64}$/)
    .default("qmk-edge:"),
  BLOB_DIR: z.string().min(1).optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" }).optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name")
    .optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: flag.default(true),
  S3_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)*$/, "path segments each ending in '/'")
    .default(""),
  // Entries `<token>` or `<name>:<trusted|community>:<token>` (see agent-tokens.ts).
  AGENT_TOKENS: z
    .string()
    .transform((value, ctx) => {
      const tokens: AgentToken[] = [];
      for (const [i, raw] of splitList(value).entries()) {
        const entry = parseTokenEntry(raw);
        if (typeof entry === "string" || entry.secret.length < 16) {
          const message = typeof entry === "string" ? entry : "agent tokens need at least 16 characters";
          ctx.addIssue({ code: "custom", path: [i], message });
          continue;
        }
        const hash = sha256(entry.secret);
        tokens.push({ hash, id: entry.id ?? defaultTokenId(hash), trust: entry.trust });
      }
      return tokens;
    })
    .optional(),
  AGENT_TOKEN_HASHES: z
    .string()
    .transform((value, ctx) => {
      const { tokens, problems } = agentTokensFromHashes(value);
      for (const message of problems) ctx.addIssue({ code: "custom", message });
      return tokens;
    })
    .optional(),
  OPERATOR_TOKENS: list
    .pipe(z.array(z.string().min(16, "operator tokens need at least 16 characters")))
    .optional(),
  OPERATOR_TOKEN_HASHES: list
    .transform((hashes) => hashes.map((h) => h.toLowerCase()))
    .pipe(z.array(z.string().regex(/^[0-9a-f]{64}$/, "sha256 hex digests, comma-separated")))
    .optional(),
  FIRMWARE_VERSION: z
    .string()
    .regex(/^[A-Za-z0-9._@+-]{1,128}$/, "1 to 128 characters of [A-Za-z0-9._@+-]")
    .default("demo-1"),
  SERVICE_VERSION: z.string().min(1).optional(),
  MAX_ATTEMPTS: int(1, 100).default(3),
  LEASE_SECONDS: int(5, 24 * 3600).default(60),
  AGENT_WINDOW_SECONDS: int(1, 24 * 3600).default(120),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(60),
  TRUST_PROXY: flag.default(false),
  PUBLIC_BASE_URL: z.union([z.literal(""), z.url({ protocol: /^https?$/ })]).optional(),
});

const S3_VARS = [
  "S3_ENDPOINT",
  "S3_BUCKET",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "S3_REGION",
] as const;

export function loadNodeConfig(env: Record<string, string | undefined>): NodeConfig {
  // Empty variables count as unset, as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const [name, entry] = i.path;
        return `${String(name)}: ${entry === undefined ? "" : `entry ${Number(entry) + 1}: `}${i.message}`;
      }),
    );
  }
  const v = result.data;
  const problems: string[] = [];

  const s3Given = S3_VARS.filter((name) => v[name] !== undefined);
  if (v.BLOB_DIR && s3Given.length > 0) {
    problems.push(
      `set either BLOB_DIR or the S3_* variables, not both (found BLOB_DIR and ${s3Given.join(", ")})`,
    );
  } else if (!v.BLOB_DIR && s3Given.length === 0) {
    problems.push(
      `set BLOB_DIR (a directory) or S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION`,
    );
  } else if (s3Given.length > 0 && s3Given.length < S3_VARS.length) {
    problems.push(`S3 storage needs ${S3_VARS.filter((n) => v[n] === undefined).join(", ")} as well`);
  }
  const tokens = mergeTokens([...(v.AGENT_TOKEN_HASHES ?? []), ...(v.AGENT_TOKENS ?? [])]);
  for (const problem of duplicateNames(tokens))
    problems.push(`AGENT_TOKENS / AGENT_TOKEN_HASHES: ${problem}`);
  if (tokens.length === 0) {
    problems.push(
      "set AGENT_TOKENS (comma-separated tokens) or AGENT_TOKEN_HASHES (their sha256 hex digests)",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const storage: StorageConfig = v.BLOB_DIR
    ? { kind: "fs", dir: v.BLOB_DIR }
    : {
        kind: "s3",
        endpoint: v.S3_ENDPOINT!,
        bucket: v.S3_BUCKET!,
        region: v.S3_REGION!,
        accessKeyId: v.S3_ACCESS_KEY_ID!,
        secretAccessKey: v.S3_SECRET_ACCESS_KEY!,
        forcePathStyle: v.S3_FORCE_PATH_STYLE,
        prefix: v.S3_PREFIX,
      };
  return {
    port: v.PORT,
    host: v.HOST,
    redisUrl: v.REDIS_URL,
    redisPrefix: v.REDIS_PREFIX,
    storage,
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
    trustProxy: v.TRUST_PROXY,
    // Several times per lease, so an expired lease returns to the queue soon after it ends.
    reaperIntervalMs: Math.min(5_000, Math.max(250, (v.LEASE_SECONDS * 1000) / 4)),
    app: {
      serviceVersion: v.SERVICE_VERSION ?? packageVersion(),
      firmwareVersion: v.FIRMWARE_VERSION,
      agentTokens: tokens,
      operatorTokenHashes: [
        ...new Set([...(v.OPERATOR_TOKEN_HASHES ?? []), ...(v.OPERATOR_TOKENS ?? []).map(sha256)]),
      ],
      maxAttempts: v.MAX_ATTEMPTS,
      leaseSeconds: v.LEASE_SECONDS,
      agentWindowSeconds: v.AGENT_WINDOW_SECONDS,
      ...(v.PUBLIC_BASE_URL ? { publicBaseUrl: v.PUBLIC_BASE_URL } : {}),
    },
  };
}

function sha256(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "0.0.0";
}
