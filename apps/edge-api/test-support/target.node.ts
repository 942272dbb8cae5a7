import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, inject } from "vitest";
import { freePort } from "../../../test/servers/daemon.ts";
import { newId } from "../src/jobs/job-id.ts";
import { loadNodeConfig } from "../src/node/config.ts";
import { startNodeServer } from "../src/node/main.ts";
import { TEST_AGENT_TOKENS, TEST_OPERATOR_TOKEN, type TestToken, tokenEntries } from "./agent-tokens.ts";
import { httpFetch } from "./http-fetch.ts";
import type { Target, TargetRequestInit } from "./target.ts";

// The Node app (src/node/main.ts) over real HTTP on 127.0.0.1, with Redis Streams and the Ceph S3 gateway that
// test-node/global-setup.ts started. Each test file gets its own server, Redis key prefix and bucket prefix,
// so its state starts empty like a workerd test file's. QMK_EDGE_TEST_BLOBS=fs (the node-fs project) swaps S3
// for a directory.

const isolation = newId().slice(0, 12);
const useFs = process.env.QMK_EDGE_TEST_BLOBS === "fs";
const s3 = useFs ? null : inject("s3");

let configured: TestToken[] = Object.values(TEST_AGENT_TOKENS);
const env = (tokens: TestToken[]) => ({
  PORT: "0",
  HOST: "127.0.0.1",
  REDIS_URL: inject("redisUrl"),
  REDIS_PREFIX: `t-${isolation}:`,
  ...(!s3
    ? { BLOB_DIR: join(tmpdir(), `qmk-edge-blobs-${isolation}`) }
    : {
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        S3_REGION: s3.region,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_PREFIX: `t-${isolation}/`,
      }),
  AGENT_TOKENS: tokenEntries(tokens, (token) => token),
  OPERATOR_TOKENS: TEST_OPERATOR_TOKEN,
  FIRMWARE_VERSION: "demo-1",
  MAX_ATTEMPTS: "3",
  LEASE_SECONDS: "60",
  // As in the workers project: small enough that the rate-limit test stays quick.
  RATE_LIMIT_PER_MINUTE: "5",
  // Tests name the client address; the app reads it from X-Forwarded-For as it would behind a proxy.
  TRUST_PROXY: "true",
  // One-origin mode (issue 18) with a tiny stand-in for a built QMK Configurator.
  STATIC_DIR: fileURLToPath(new URL("./static-site", import.meta.url)),
});
const config = loadNodeConfig(env(configured));

// The reaper stays off: tests expire leases with reapExpiredLeases(now) instead of waiting.
let server = await startNodeServer(config, { reaper: false });
afterAll(async () => {
  await server.close();
  // An upload the client abandoned can still be finishing its temp file as the server closes, so the
  // directory may be refilled between rmSync's listing and its rmdir: retry instead of failing the file.
  if (config.storage.kind === "fs") {
    rmSync(config.storage.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
});

let clients = 0;
const freshIp = () => {
  clients++;
  return `198.18.${(clients >> 8) & 255}.${clients & 255}`;
};

const fetchFrom =
  (base: () => string) =>
  (path: string, init: TargetRequestInit = {}) => {
    const { clientIp, direct: _direct, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", clientIp ?? freshIp());
    return httpFetch(`${base()}${path}`, {
      method: rest.method ?? "GET",
      headers,
      body: (rest.body ?? null) as string | Uint8Array | ReadableStream<Uint8Array> | null,
      signal: rest.signal ?? null,
    });
  };

// A second API process on the same Redis prefix and store, with `vars` changed.
async function variant(vars: Record<string, string>) {
  const other = await startNodeServer(loadNodeConfig({ ...env(configured), ...vars }), { reaper: false });
  return { fetch: fetchFrom(() => other.url), close: () => other.close() };
}

export const target: Target = {
  name: "node",
  fetch: fetchFrom(() => server.url),
  withEnv: variant,
  async withQueueDown() {
    // A port that was free a moment ago and that nothing listens on: connections are refused.
    return await variant({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  },
  agentToken: TEST_AGENT_TOKENS.local.token,
  tokens: TEST_AGENT_TOKENS,
  operatorToken: TEST_OPERATOR_TOKEN,
  // As an operator does it: the API process restarts without the token (same Redis, same storage).
  async revokeAgentToken(token: string) {
    configured = configured.filter((t) => t.token !== token);
    await server.close();
    server = await startNodeServer(loadNodeConfig(env(configured)), { reaper: false });
  },
  firmwareVersion: config.app.firmwareVersion,
  maxAttempts: config.app.maxAttempts,
  rateLimitPerMinute: config.rateLimitPerMinute,
  reapExpiredLeases: (now: string) => server.dispatcher.reapExpiredLeases(now),
  // RedisDispatcher.enqueue has XADDed the job before POST /v1/compile answers.
  async deliverQueue() {},
};
