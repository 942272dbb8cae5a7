import { readFileSync } from "node:fs";
import { availableParallelism, homedir, hostname } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { agentId, LEASE_MAX_WAIT_MS } from "@qmk-edge/schema";
import { z } from "zod";
import { LOG_FORMATS, LOG_LEVELS } from "../log.ts";
import { helpText } from "./help.ts";
import { DEFAULT_MAX_BUILD_SLOTS, OPTIONS, type OptionName, type OptionSpec } from "./options.ts";
import { parseDuration, parseSize } from "./units.ts";

// The agent's one config loader: flags, then environment, then an optional JSON file, then defaults.
// Every option is declared once in OPTIONS (config/options.ts); --help, the env names and the file keys
// all come from it.

export class ConfigError extends Error {
  override name = "ConfigError";
}

// What `loadConfig` can ask for instead of a config.
export type ConfigOutcome = { kind: "config"; config: AgentConfig } | { kind: "help"; text: string };

const cpus = () => availableParallelism();
const defaultConcurrency = () => Math.max(1, Math.floor(cpus() / 2));
const defaultWorkDir = () =>
  resolve(process.env.XDG_CACHE_HOME ?? resolve(homedir(), ".cache"), "qmk-edge-agent");

const text = z.union([z.string(), z.number()]).transform(String);
const duration = (min: number, max: number) =>
  text.transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `"${v}" is not a duration like 90s, 10m or 500ms` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: "custom", message: `must be between ${min}ms and ${max}ms, got ${ms}ms` });
      return z.NEVER;
    }
    return ms;
  });
const positiveInt = (max: number) =>
  text.transform((v, ctx) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || n < 1 || n > max) {
      ctx.addIssue({ code: "custom", message: `"${v}" must be a whole number from 1 to ${max}` });
      return z.NEVER;
    }
    return n;
  });

const configSchema = z
  .object({
    api: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }),
    token: z.string().min(1, "must not be empty").optional(),
    "token-file": z.string().min(1).optional(),
    tree: z.string().min(1).optional(),
    "tree-git": z.string().min(1).optional(),
    "tree-ref": z
      .string()
      .regex(/^[A-Za-z0-9._/@^~-]{1,200}$/, "not a git ref")
      .default("HEAD"),
    "work-dir": z.string().min(1).default(defaultWorkDir),
    concurrency: positiveInt(256).default(defaultConcurrency),
    "make-jobs": positiveInt(256).optional(),
    "max-build-slots": positiveInt(100_000).default(DEFAULT_MAX_BUILD_SLOTS),
    "build-timeout": duration(100, 24 * 3_600_000).default(600_000),
    "max-log-bytes": text
      .transform((v, ctx) => {
        const n = parseSize(v);
        if (n === undefined || n < 4096 || n > 2 * 1024 * 1024) {
          ctx.addIssue({ code: "custom", message: `"${v}" must be a size between 4k and 2m` });
          return z.NEVER;
        }
        return n;
      })
      .default(1024 * 1024),
    "shutdown-grace": duration(0, 24 * 3_600_000).default(60_000),
    "lease-wait": duration(0, LEASE_MAX_WAIT_MS).default(LEASE_MAX_WAIT_MS),
    "agent-id": agentId.default(
      () =>
        `${hostname()
          .replace(/[^A-Za-z0-9_.-]/g, "-")
          .slice(0, 50)}-${process.pid}`,
    ),
    ccache: z.enum(["auto", "off"]).default("auto"),
    "isolate-network": z.enum(["auto", "on", "off"]).default("auto"),
    "no-publish-catalogue": z
      .union([z.boolean(), z.enum(["true", "false", "1", "0"])])
      .transform((v) => v === true || v === "true" || v === "1")
      .default(false),
    "no-build-health": z
      .union([z.boolean(), z.enum(["true", "false", "1", "0"])])
      .transform((v) => v === true || v === "true" || v === "1")
      .default(false),
    "metrics-listen": z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "must be HOST:PORT, e.g. 0.0.0.0:9465")
      .optional(),
    "stop-with-parent": z
      .union([z.boolean(), z.enum(["true", "false", "1", "0"])])
      .transform((v) => v === true || v === "true" || v === "1")
      .default(false),
    "log-format": z.enum(LOG_FORMATS).default("human"),
    "log-level": z.enum(LOG_LEVELS).default("info"),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.token === undefined && c["token-file"] === undefined) {
      ctx.addIssue({ code: "custom", path: ["token"], message: "is required (or --token-file FILE)" });
    } else if (c.token !== undefined && c["token-file"] !== undefined) {
      ctx.addIssue({ code: "custom", path: ["token"], message: "give only one of --token or --token-file" });
    }
    if ((c.tree === undefined) === (c["tree-git"] === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["tree"],
        message: "give exactly one of --tree PATH or --tree-git URL",
      });
    }
  });

export type TreeSource = { kind: "path"; path: string } | { kind: "git"; url: string; ref: string };

export interface AgentConfig {
  apiUrl: string;
  token: string;
  tree: TreeSource;
  workDir: string;
  concurrency: number;
  makeJobs: number;
  maxBuildSlots: number;
  buildTimeoutMs: number;
  maxLogBytes: number;
  shutdownGraceMs: number;
  leaseWaitMs: number;
  agentId: string;
  ccache: "auto" | "off";
  isolateNetwork: "auto" | "on" | "off";
  logFormat: (typeof LOG_FORMATS)[number];
  logLevel: (typeof LOG_LEVELS)[number];
  publishCatalogue: boolean;
  buildHealth: boolean;
  metricsListen: { host: string; port: number } | null;
  stopWithParent: boolean;
}

// argv without node and the script; env is usually process.env. Throws ConfigError with a message
// fit to print as is.
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): ConfigOutcome {
  const flags = parseFlags(argv);
  if (flags.help) return { kind: "help", text: helpText() };

  const fromFlags = flags.values;
  const fromEnv: Partial<Record<OptionName, string>> = {};
  for (const [name, spec] of Object.entries(OPTIONS) as Array<[OptionName, OptionSpec]>) {
    const v = env[spec.env];
    if (v !== undefined && v !== "") fromEnv[name] = v;
  }
  const configFile = fromFlags.config ?? fromEnv.config;
  const fromFile = configFile ? readConfigFile(resolve(cwd, configFile)) : {};
  const { config: _f, ...merged } = { ...fromFile, ...fromEnv, ...fromFlags } as Record<string, unknown>;

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? "");
      const where = key in OPTIONS ? `--${key} (${OPTIONS[key as OptionName].env})` : key || "config";
      const msg = i.code === "invalid_type" && i.input === undefined ? "is required" : i.message;
      return `  ${where}: ${msg}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  const tree: TreeSource = c.tree
    ? { kind: "path", path: resolve(cwd, c.tree) }
    : { kind: "git", url: gitUrl(c["tree-git"]!, cwd), ref: c["tree-ref"] };
  return {
    kind: "config",
    config: {
      apiUrl: c.api.replace(/\/+$/, ""),
      token: c.token ?? readTokenFile(resolve(cwd, c["token-file"]!)),
      tree,
      workDir: resolve(cwd, c["work-dir"]),
      concurrency: c.concurrency,
      makeJobs: c["make-jobs"] ?? Math.max(1, Math.floor(cpus() / c.concurrency)),
      maxBuildSlots: c["max-build-slots"],
      buildTimeoutMs: c["build-timeout"],
      maxLogBytes: c["max-log-bytes"],
      shutdownGraceMs: c["shutdown-grace"],
      leaseWaitMs: c["lease-wait"],
      agentId: c["agent-id"],
      ccache: c.ccache,
      isolateNetwork: c["isolate-network"],
      logFormat: c["log-format"],
      logLevel: c["log-level"],
      publishCatalogue: !c["no-publish-catalogue"],
      buildHealth: !c["no-build-health"],
      metricsListen: c["metrics-listen"] ? hostPort(c["metrics-listen"]) : null,
      stopWithParent: c["stop-with-parent"],
    },
  };
}

function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new ConfigError(
      `invalid configuration:\n  --token-file (QMK_EDGE_AGENT_TOKEN_FILE): ${(err as Error).message}`,
    );
  }
  if (text === "")
    throw new ConfigError(
      `invalid configuration:\n  --token-file (QMK_EDGE_AGENT_TOKEN_FILE): ${path} is empty`,
    );
  return text;
}

function hostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(":");
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(value.slice(at + 1)) };
}

// A relative local path would be resolved by git against the work dir; make it absolute here.
function gitUrl(url: string, cwd: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^:]+:/.test(url) ? url : resolve(cwd, url);
}

function parseFlags(argv: string[]): { help: boolean; values: Partial<Record<OptionName, string>> } {
  // A spec without a value placeholder is a switch: present means "true".
  const options = Object.fromEntries(
    (Object.entries(OPTIONS) as Array<[string, OptionSpec]>).map(([k, spec]) => [
      k,
      { type: spec.value === "" ? ("boolean" as const) : ("string" as const) },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) {
      throw new ConfigError(`unexpected argument "${positionals[0]}" (options start with --; see --help)`);
    }
    const { help, ...rest } = values as Record<string, string | boolean | undefined>;
    const flags = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v === true ? "true" : v]));
    return { help: help === true, values: flags as Partial<Record<OptionName, string>> };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    // node:util's messages name the flag ("Unknown option '--x'"); keep them and point at --help.
    const msg =
      err instanceof Error ? err.message.replace(/\. To specify a positional.*$/s, "") : String(err);
    throw new ConfigError(`${msg} (see --help)`);
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError(`config file ${path} must hold a JSON object of option names to values`);
  }
  for (const key of Object.keys(data)) {
    if (!(key in OPTIONS) || key === "config") {
      throw new ConfigError(
        `config file ${path}: unknown option "${key}" (the keys are the flag names, see --help)`,
      );
    }
  }
  return data as Record<string, unknown>;
}
