// Self-hosted entry point: the same Hono app as on Workers, served by @hono/node-server, with Redis Streams
// for dispatch and rate limits and S3 (or a directory) for records and artifacts. Any number of these
// processes can share one Redis and one bucket. `npm run -s serve:node`; configuration: node-config.ts.
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { FsBlobStore } from "./adapters/blob-store/fs.ts";
import { S3BlobStore, S3Error } from "./adapters/blob-store/s3.ts";
import { RedisDispatcher } from "./adapters/dispatcher/redis/dispatcher.ts";
import { BlobJobStore } from "./adapters/job-store/blob.ts";
import { RedisRateLimiter } from "./adapters/rate-limiter/redis.ts";
import { createApp } from "./app.ts";
import type { AppEnv, Deps } from "./deps.ts";
import { newId } from "./job-id.ts";
import { systemClock } from "./jobs/clock.ts";
import { answerClientErrorsWithJson } from "./node-client-errors.ts";
import { ConfigError, loadNodeConfig, type NodeConfig } from "./node-config.ts";
import type { BlobStore } from "./ports/blob-store.ts";

export interface NodeDeps {
  deps: Deps;
  dispatcher: RedisDispatcher;
  close(): Promise<void>;
}

export function buildNodeDeps(
  config: NodeConfig,
  options: { fetch?: (r: Request) => Promise<Response> } = {},
) {
  const blobs: BlobStore =
    config.storage.kind === "fs"
      ? new FsBlobStore(config.storage.dir)
      : new S3BlobStore({ ...config.storage, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const jobs = new BlobJobStore(blobs);
  const now = systemClock;
  const dispatcher = new RedisDispatcher({
    now,
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    jobs,
    leaseSeconds: config.app.leaseSeconds,
  });
  const rateLimiter = new RedisRateLimiter({
    redis: dispatcher.redis,
    prefix: config.redisPrefix,
    limit: config.rateLimitPerMinute,
    now,
    onError: (err) => console.error("rate limiter: redis unavailable, letting the request through:", err),
  });
  const deps: Deps = {
    blobs,
    jobs,
    dispatcher,
    rateLimiter,
    responseCache: null,
    config: config.app,
    clientIp: config.trustProxy ? forwardedClientIp : socketClientIp,
    now,
    newId,
  };
  return { deps, dispatcher, close: () => dispatcher.close() } satisfies NodeDeps;
}

function socketClientIp(c: Context<AppEnv>): string | null {
  return getConnInfo(c).remote.address ?? null;
}

// Behind a reverse proxy: the address it appended last to X-Forwarded-For (the one it saw connect).
function forwardedClientIp(c: Context<AppEnv>): string | null {
  const hops = (c.req.header("x-forwarded-for") ?? "").split(",").map((h) => h.trim());
  return hops.filter(Boolean).at(-1) ?? socketClientIp(c);
}

export interface NodeServer {
  url: string;
  port: number;
  dispatcher: RedisDispatcher;
  deps: Deps;
  // Stops accepting, ends long polls (they answer 204), waits for requests in flight, then closes Redis.
  close(): Promise<void>;
}

export async function startNodeServer(
  config: NodeConfig,
  options: { fetch?: (r: Request) => Promise<Response>; reaper?: boolean } = {},
): Promise<NodeServer> {
  const built = buildNodeDeps(config, options);
  const app = createApp({ deps: () => built.deps });
  const stopReaper =
    options.reaper === false
      ? () => {}
      : built.dispatcher.startReaper(config.reaperIntervalMs, (err) => console.error("lease reaper:", err));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  answerClientErrorsWithJson(server as HttpServer);
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    dispatcher: built.dispatcher,
    deps: built.deps,
    async close() {
      stopReaper();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      built.dispatcher.interruptWaits();
      // Keep-alive sockets that go idle after close() would otherwise linger until their timeout.
      const http = server as HttpServer;
      const idle = setInterval(() => http.closeIdleConnections(), 50);
      const force = setTimeout(() => http.closeAllConnections(), 10_000);
      await closed;
      clearInterval(idle);
      clearTimeout(force);
      await built.close();
    },
  };
}

async function main(): Promise<void> {
  let config: NodeConfig;
  try {
    config = loadNodeConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`qmk-edge: ${err.message}`);
    process.exit(2);
  }
  const server = await startNodeServer(config);
  const problem = await checkBackends(server);
  if (problem?.fatal) {
    console.error(`qmk-edge: ${problem.message}`);
    await server.close();
    process.exit(2);
  }
  if (problem)
    console.warn(`qmk-edge: ${problem.message} (serving anyway; requests answer 503 until it is back)`);
  if (!config.app.publicBaseUrl && !/^(127\.|::1$|localhost$)/.test(config.host)) {
    console.warn(
      `qmk-edge: HOST is ${config.host} but PUBLIC_BASE_URL is not set: artifact links in status answers ` +
        "say http://localhost for clients that are not on this machine (a Host header never chooses them)",
    );
  }
  const storage =
    config.storage.kind === "fs" ? `dir ${config.storage.dir}` : `s3 ${config.storage.endpoint}`;
  console.log(
    `qmk-edge API listening on ${server.url} (redis ${redactUrl(config.redisUrl)}, blobs in ${storage})`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`qmk-edge: ${signal}, finishing requests in flight`);
    server.close().then(
      () => process.exit(0),
      (err) => {
        console.error("qmk-edge: shutdown failed:", err);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

// A wrong bucket or key is a configuration error worth stopping for; an unreachable server may come back.
async function checkBackends(server: NodeServer): Promise<{ message: string; fatal: boolean } | null> {
  try {
    await server.dispatcher.redis.ping();
  } catch (err) {
    return { message: `Redis is unreachable: ${(err as Error).message}`, fatal: false };
  }
  try {
    await server.deps.blobs.head("jobs/startup-check.json");
  } catch (err) {
    const message = `the blob store refused a read: ${(err as Error).message}`;
    return { message, fatal: err instanceof S3Error };
  }
  return null;
}

function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
