// Configuration of the self-hosted (Node) API, from environment variables, checked once at start.
// Every problem is reported at once, by variable name, so a broken deployment says what to fix.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { z } from "zod";
import type { S3BlobStoreConfig } from "../adapters/blob-store/s3.ts";
import {
  type AgentToken,
  defaultTokenId,
  duplicateNames,
  mergeTokens,
  parseTokenEntry,
  splitList,
} from "../config/agent-tokens.ts";
import type { AppConfig } from "../config/app-config.ts";
import { appConfigOf, int, parseEnv, sharedEnv } from "../config/env-schema.ts";

// The S3 variant is the adapter's own config with every setting the environment decides made explicit.
export type StorageConfig =
  | { kind: "fs"; dir: string; bytesPerOpenJob: number }
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
  // API processes serving the port (node/cluster.ts): 1 serves in this process; more fork workers.
  processes: number;
  // Take the client address from the last X-Forwarded-For hop (only behind a proxy that sets it).
  trustProxy: boolean;
  // A built web app (QMK Configurator) served beside /v1 on the same origin (STATIC_DIR); null: none.
  staticDir: string | null;
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

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["1", "0", "true", "false", "yes", "no", ""].includes(v), "true or false")
  .transform((v) => v === "1" || v === "true" || v === "yes");

// The shared environment (config/env-schema.ts) plus what only a Node process has.
// Processes that serve the port (node/cluster.ts): a number, or `auto` for one per core the machine offers.
export const MAX_API_PROCESSES = 256;
const apiProcesses = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value, ctx) => {
    if (value === "auto") return Math.min(MAX_API_PROCESSES, availableParallelism());
    if (/^[0-9]+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_API_PROCESSES)
      return Number(value);
    ctx.addIssue({
      code: "custom",
      message: `a number from 1 to ${MAX_API_PROCESSES}, or auto (one per core)`,
    });
    return z.NEVER;
  });

const envSchema = sharedEnv.extend({
  PORT: int(0, 65535).default(8787),
  API_PROCESSES: apiProcesses.default(1),
  HOST: z.string().min(1).default("127.0.0.1"),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "a redis:// or rediss:// URL" }),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}:.-]{1,64}$/)
    .default("qmk-edge:"),
  BLOB_DIR: z.string().min(1).optional(),
  // Free space BLOB_DIR keeps per job accepted and not ended (records, firmware, source zip, log): a new job
  // is accepted only while the disk has that much for it and for each open job; else POST /v1/compile is 503.
  BLOB_DIR_BYTES_PER_OPEN_JOB: int(0, Number.MAX_SAFE_INTEGER).default(2 * 1024 * 1024),
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
  // Entries `<token>` or `<name>:<trusted|community>:<token>` (see agent-tokens.ts): the tokens themselves,
  // hashed at once; the Worker only ever takes hashes.
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
  OPERATOR_TOKENS: z
    .string()
    .transform(splitList)
    .pipe(z.array(z.string().min(16, "operator tokens need at least 16 characters")))
    .optional(),
  TRUST_PROXY: flag.default(false),
  // One-origin deployment: the directory of a built QMK Configurator, served for every path outside /v1.
  STATIC_DIR: z.string().min(1).optional(),
});

const S3_VARS = [
  "S3_ENDPOINT",
  "S3_BUCKET",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "S3_REGION",
] as const;

export function loadNodeConfig(env: Record<string, string | undefined>): NodeConfig {
  // A Node process knows its own version when none is configured.
  const result = parseEnv(envSchema, { ...env, SERVICE_VERSION: env.SERVICE_VERSION || packageVersion() });
  if (!result.ok) throw new ConfigError(result.problems);
  const v = result.value;
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
  if (v.STATIC_DIR && !isDirectory(v.STATIC_DIR))
    problems.push(`STATIC_DIR: ${v.STATIC_DIR} is not a directory`);
  if (problems.length > 0) throw new ConfigError(problems);

  const storage: StorageConfig = v.BLOB_DIR
    ? { kind: "fs", dir: v.BLOB_DIR, bytesPerOpenJob: v.BLOB_DIR_BYTES_PER_OPEN_JOB }
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
    processes: v.API_PROCESSES,
    redisUrl: v.REDIS_URL,
    redisPrefix: v.REDIS_PREFIX,
    storage,
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
    trustProxy: v.TRUST_PROXY,
    staticDir: v.STATIC_DIR ?? null,
    app: appConfigOf(v, {
      agentTokens: tokens,
      operatorTokenHashes: [
        ...new Set([...(v.OPERATOR_TOKEN_HASHES ?? []), ...(v.OPERATOR_TOKENS ?? []).map(sha256)]),
      ],
    }),
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function sha256(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "0.0.0";
}
