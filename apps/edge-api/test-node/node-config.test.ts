import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadNodeConfig } from "../src/node/config.ts";

const TOKEN = "a-long-enough-agent-token";
const base = { REDIS_URL: "redis://127.0.0.1:6379", BLOB_DIR: "/var/lib/qmk-edge", AGENT_TOKENS: TOKEN };
const s3 = {
  S3_ENDPOINT: "https://acct.r2.cloudflarestorage.com",
  S3_BUCKET: "qmk-edge",
  S3_ACCESS_KEY_ID: "AKID",
  S3_SECRET_ACCESS_KEY: "secret",
  S3_REGION: "auto",
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadNodeConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadNodeConfig: happy path", () => {
  it("fills in defaults and stores only the sha256 of agent tokens", () => {
    const config = loadNodeConfig(base);
    expect(config).toMatchObject({
      port: 8787,
      host: "127.0.0.1",
      redisUrl: "redis://127.0.0.1:6379",
      redisPrefix: "qmk-edge:",
      storage: { kind: "fs", dir: "/var/lib/qmk-edge", bytesPerOpenJob: 2 * 1024 * 1024 },
      rateLimitPerMinute: 60,
      trustProxy: false,
      app: {
        firmwareVersion: "demo-1",
        maxAttempts: 3,
        leaseSeconds: 60,
        // Unset: one lease, so an agent that stops heartbeating turns GET /v1 degraded within it.
        agentWindowSeconds: 60,
        noAgentWaitSeconds: 180,
        refusalJobOrigins: "*",
      },
    });
    const hash = createHash("sha256").update(TOKEN).digest("hex");
    expect(config.app.agentTokens).toEqual([{ hash, id: `token-${hash.slice(0, 12)}`, trust: "trusted" }]);
    expect(config.app.operatorTokenHashes).toEqual([]);
    expect(JSON.stringify(config)).not.toContain(TOKEN);
    expect(config.app.serviceVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("reads S3 settings, path-style by default, and merges plain tokens with given hashes", () => {
    const hash = "ab".repeat(32);
    const config = loadNodeConfig({
      ...s3,
      REDIS_URL: "rediss://user:pw@redis.internal:6380/2",
      AGENT_TOKENS: `${TOKEN}, second-agent-token-xyz`,
      AGENT_TOKEN_HASHES: hash.toUpperCase(),
      S3_PREFIX: "qmk/",
      PORT: "9000",
      HOST: "0.0.0.0",
      MAX_ATTEMPTS: "5",
      LEASE_SECONDS: "120",
      RATE_LIMIT_PER_MINUTE: "10",
      PUBLIC_BASE_URL: "https://api.example.org",
      TRUST_PROXY: "yes",
    });
    expect(config.storage).toEqual({
      kind: "s3",
      ...s3Config(),
      prefix: "qmk/",
    });
    expect(config.app.agentTokens).toHaveLength(3);
    expect(config.app.agentTokens.map((t) => t.hash)).toContain(hash);
    expect(config).toMatchObject({ port: 9000, host: "0.0.0.0", rateLimitPerMinute: 10, trustProxy: true });
    expect(config.app).toMatchObject({
      maxAttempts: 5,
      leaseSeconds: 120,
      publicBaseUrl: "https://api.example.org",
    });
    expect(
      loadNodeConfig({ ...base, ...s3, BLOB_DIR: "", S3_FORCE_PATH_STYLE: "false" }).storage,
    ).toMatchObject({
      forcePathStyle: false,
    });
  });
});

describe("loadNodeConfig: agent tokens with names and trust levels, operator tokens", () => {
  it("reads <name>:<trust>:<token> and <name>:<trust>:<hash> entries beside plain ones", () => {
    const hash = "cd".repeat(32);
    const config = loadNodeConfig({
      ...base,
      AGENT_TOKENS: `${TOKEN},alice-desk:community:alices-long-agent-token`,
      AGENT_TOKEN_HASHES: `fleet-2:trusted:${hash.toUpperCase()}`,
      OPERATOR_TOKENS: "operator-token-long-enough",
      OPERATOR_TOKEN_HASHES: "ef".repeat(32),
    });
    const sha = (t: string) => createHash("sha256").update(t).digest("hex");
    expect(config.app.agentTokens).toEqual(
      expect.arrayContaining([
        { hash: sha(TOKEN), id: `token-${sha(TOKEN).slice(0, 12)}`, trust: "trusted" },
        { hash: sha("alices-long-agent-token"), id: "alice-desk", trust: "community" },
        { hash, id: "fleet-2", trust: "trusted" },
      ]),
    );
    expect(config.app.operatorTokenHashes.sort()).toEqual(
      [sha("operator-token-long-enough"), "ef".repeat(32)].sort(),
    );
    expect(JSON.stringify(config)).not.toContain("alices-long-agent-token");
  });

  it("refuses bad names, short named tokens and one name for two tokens", () => {
    expect(problemsOf({ ...base, AGENT_TOKENS: "-bad:community:a-long-enough-token-x" })).toEqual([
      expect.stringMatching(/^AGENT_TOKENS: entry 1: token name "-bad"/),
    ]);
    expect(problemsOf({ ...base, AGENT_TOKENS: "x:trusted:short" })).toEqual([
      expect.stringMatching(/^AGENT_TOKENS: entry 1: agent tokens need at least 16 characters/),
    ]);
    expect(
      problemsOf({
        ...base,
        AGENT_TOKENS: "same:trusted:first-long-token-0001,same:community:second-long-token-01",
      }),
    ).toEqual([expect.stringContaining("token name same is used twice")]);
    expect(problemsOf({ ...base, OPERATOR_TOKENS: "short" })).toEqual([
      expect.stringMatching(/^OPERATOR_TOKENS: /),
    ]);
  });
});

function s3Config() {
  return {
    endpoint: s3.S3_ENDPOINT,
    bucket: s3.S3_BUCKET,
    accessKeyId: s3.S3_ACCESS_KEY_ID,
    secretAccessKey: s3.S3_SECRET_ACCESS_KEY,
    region: s3.S3_REGION,
    forcePathStyle: true,
  };
}

describe("loadNodeConfig: errors name the variable to fix", () => {
  it("needs a Redis URL, storage and agent tokens", () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^REDIS_URL: /)]);
    const problems = problemsOf({ REDIS_URL: base.REDIS_URL });
    expect(problems).toEqual([
      expect.stringContaining("set BLOB_DIR"),
      expect.stringContaining("AGENT_TOKENS"),
    ]);
  });

  it("refuses both storages at once, and an incomplete S3 setting", () => {
    expect(problemsOf({ ...base, S3_ENDPOINT: s3.S3_ENDPOINT })[0]).toMatch(
      /either BLOB_DIR or the S3_\* variables/,
    );
    const { BLOB_DIR: _dir, ...noDir } = base;
    expect(problemsOf({ ...noDir, S3_ENDPOINT: s3.S3_ENDPOINT, S3_BUCKET: "b-1" })[0]).toMatch(
      /S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION/,
    );
  });

  it.each([
    ["REDIS_URL", "http://127.0.0.1:6379"],
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["MAX_ATTEMPTS", "0"],
    ["LEASE_SECONDS", "1.5"],
    ["AGENT_TOKENS", "short"],
    ["AGENT_TOKEN_HASHES", "not-a-hash"],
    ["FIRMWARE_VERSION", "demo 1"],
    ["TRUST_PROXY", "maybe"],
    ["PUBLIC_BASE_URL", "ftp://example.org"],
    ["S3_BUCKET", "Bad_Bucket"],
  ])("reports %s=%j", (name, value) => {
    const env = name.startsWith("S3_") ? { ...base, ...s3, BLOB_DIR: undefined } : base;
    expect(problemsOf({ ...env, [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });
});
