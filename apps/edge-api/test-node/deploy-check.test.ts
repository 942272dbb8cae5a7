import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  bindingProblems,
  type DeployConfig,
  defaultHandlers,
  devValueProblems,
  durableObjectProblems,
  exportedNames,
  handlerProblems,
  sizeProblems,
} from "../scripts/deploy/checks.ts";
import { devValues, runDeployCheck } from "../scripts/deploy-check.ts";
import { LOCAL_AGENT_TOKEN, sha256Hex } from "../scripts/dev-vars.ts";
import { TEST_AGENT_TOKENS, TEST_OPERATOR_TOKEN } from "../test-support/agent-tokens.ts";

const envSource = fileURLToPath(new URL("../src/workers/env.ts", import.meta.url));
const entrySource = readFileSync(new URL("../src/workers/main.ts", import.meta.url), "utf8");

const config = (over: Partial<DeployConfig> = {}): DeployConfig => ({
  vars: {
    FIRMWARE_VERSION: "demo-1",
    SERVICE_VERSION: "0.1.0",
    MAX_ATTEMPTS: "3",
    LEASE_SECONDS: "60",
    AGENT_WINDOW_SECONDS: "120",
    RATE_LIMIT_PER_MINUTE: "60",
    PUBLIC_BASE_URL: "",
    BUILD_HEALTH: "on",
    BUILD_HEALTH_MAX_PER_HOUR: "0",
    BUILD_HEALTH_RETEST_HOURS: "24",
    DISPATCHER_SHARDS: "1",
  },
  secrets: { required: ["AGENT_TOKEN_HASHES", "OPERATOR_TOKEN_HASHES"] },
  r2_buckets: [{ binding: "BUCKET" }],
  queues: {
    producers: [{ binding: "JOBS", queue: "compile-jobs" }],
    consumers: [{ queue: "compile-jobs" }, { queue: "compile-jobs-dlq" }],
  },
  triggers: { crons: ["* * * * *"] },
  durable_objects: {
    bindings: [
      { name: "DISPATCHER", class_name: "DispatcherObject" },
      { name: "DISPATCHER_LOBBY", class_name: "DispatcherLobby" },
      { name: "RATE_LIMITER", class_name: "RateLimiterObject" },
      { name: "METRICS", class_name: "MetricsObject" },
      { name: "BUILD_HEALTH_STORE", class_name: "BuildHealthObject" },
    ],
  },
  migrations: [
    { tag: "v1", new_sqlite_classes: ["DispatcherObject", "RateLimiterObject"] },
    { tag: "v2", new_sqlite_classes: ["DispatcherLobby"] },
    { tag: "v3", new_sqlite_classes: ["MetricsObject", "BuildHealthObject"] },
  ],
  ...over,
});

describe("deploy check (wrangler deploy --dry-run --outdir)", () => {
  it("bundles the Worker, within the size limit, bindings matching env.ts, no development token", () => {
    const tokens = [...Object.values(TEST_AGENT_TOKENS).map((t) => t.token), TEST_OPERATOR_TOKEN];
    const result = runDeployCheck({ extraDevTokens: tokens });
    expect(result.problems).toEqual([]);
    expect(result.gzipBytes).toBeGreaterThan(10_000);
    expect(result.bytes).toBeGreaterThan(result.gzipBytes);
  }, 120_000);
});

describe("deploy check rules", () => {
  it("finds the local agent token's hash in vars, as wrangler.jsonc had it (issue 21)", () => {
    const withDevHash = config({
      vars: { ...config().vars, AGENT_TOKEN_HASHES: sha256Hex(LOCAL_AGENT_TOKEN) },
    });
    const problems = devValueProblems(withDevHash, "", devValues());
    expect(problems).toContain(
      "vars.AGENT_TOKEN_HASHES: a token belongs in a secret (wrangler secret put AGENT_TOKEN_HASHES)",
    );
    expect(problems).toContain(
      `vars.AGENT_TOKEN_HASHES holds the sha256 of the development token ${LOCAL_AGENT_TOKEN}`,
    );
  });

  it("finds a development token hard-coded in the bundle", () => {
    const bundle = `const fallback = "${sha256Hex(LOCAL_AGENT_TOKEN)}";`;
    expect(devValueProblems(config(), bundle, devValues())).toEqual([
      `the bundle holds the sha256 of the development token ${LOCAL_AGENT_TOKEN}`,
    ]);
  });

  it("holds wrangler.jsonc's bindings and env.ts together, both ways and by kind", () => {
    expect(bindingProblems(envSource, config())).toEqual([]);
    const noBucket = config({ r2_buckets: [] });
    expect(bindingProblems(envSource, noBucket)).toEqual([
      "Env.BUCKET is read by the code but wrangler.jsonc binds nothing",
    ]);
    const extraVar = config({ vars: { ...config().vars, UNREAD: "1" } });
    expect(bindingProblems(envSource, extraVar)).toEqual([
      "wrangler.jsonc binds UNREAD (text) but Env in src/workers/env.ts lacks it",
    ]);
    const wrongKind = config({ r2_buckets: [], vars: { ...config().vars, BUCKET: "x" } });
    expect(bindingProblems(envSource, wrongKind)).toEqual([
      "Env.BUCKET is a r2 binding in the code but a text binding in wrangler.jsonc",
    ]);
  });

  it("wants each Durable Object class exported by the entry and created by a migration", () => {
    const exports = exportedNames(entrySource);
    expect(exports).toContain("DispatcherObject");
    expect(durableObjectProblems(config(), exports)).toEqual([]);
    const unmigrated = config({
      migrations: [
        {
          tag: "v1",
          new_sqlite_classes: ["DispatcherObject", "DispatcherLobby", "MetricsObject", "BuildHealthObject"],
        },
      ],
    });
    expect(durableObjectProblems(unmigrated, exports)).toEqual([
      "Durable Object class RateLimiterObject (RATE_LIMITER) has no migration creating it",
    ]);
    expect(
      durableObjectProblems(
        config(),
        new Set(["default", "DispatcherObject", "DispatcherLobby", "MetricsObject", "BuildHealthObject"]),
      ),
    ).toEqual(["Durable Object class RateLimiterObject (RATE_LIMITER) is not exported by the entry"]);
  });

  it("pairs each trigger with its handler on the entry's default export, both ways", () => {
    const handlers = defaultHandlers(entrySource);
    expect([...handlers].sort()).toEqual(["fetch", "queue", "scheduled"]);
    expect(handlerProblems(config(), handlers)).toEqual([]);
    expect(handlerProblems(config({ triggers: { crons: [] } }), handlers)).toEqual([
      "the entry's default export has a scheduled handler but wrangler.jsonc sets no triggers.crons",
    ]);
    expect(handlerProblems(config(), new Set(["fetch", "queue"]))).toEqual([
      "wrangler.jsonc sets triggers.crons but the entry's default export has no scheduled handler",
    ]);
    const noConsumers = config({ queues: { producers: config().queues.producers }, triggers: {} });
    expect(handlerProblems(noConsumers, new Set(["fetch"]))).toEqual([]);
    expect(handlerProblems(noConsumers, new Set(["fetch", "queue"]))).toEqual([
      "the entry's default export has a queue handler but wrangler.jsonc sets no queues.consumers",
    ]);
    expect(
      defaultHandlers("export default { async fetch() {}, scheduled: () => {} } as ExportedHandler;"),
    ).toEqual(new Set(["fetch", "scheduled"]));
  });

  it("refuses a bundle over Workers' gzip limit", () => {
    expect(sizeProblems(3 * 1024 * 1024)).toEqual([]);
    expect(sizeProblems(3 * 1024 * 1024 + 1)).toHaveLength(1);
  });
});
