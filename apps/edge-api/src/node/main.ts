// Self-hosted entry point: the same Hono app as on Workers, served by @hono/node-server, with Redis Streams
// for dispatch and rate limits and S3 (or a directory) for records and artifacts. Any number of these
// processes can share one Redis and one bucket. `npm run -s serve:node`; configuration: node/config.ts;
// server lifecycle: node/server.ts; API_PROCESSES > 1: this process forks that many (node/cluster.ts).
import cluster from "node:cluster";
import { fileURLToPath } from "node:url";
import { FsBlobStore } from "../adapters/blob-store/fs.ts";
import { S3BlobStore } from "../adapters/blob-store/s3.ts";
import { S3Error } from "../adapters/blob-store/s3-wire.ts";
import { buildHealthMemo, MemoisedBuildHealthStore } from "../adapters/build-health/memo.ts";
import { RedisBuildHealthStore } from "../adapters/build-health/redis.ts";
import { RedisDispatcher } from "../adapters/dispatcher/redis/dispatcher.ts";
import { RedisQueueRepair } from "../adapters/dispatcher/redis/queue-repair.ts";
import { BlobJobStore, CACHE_MEMO_MS, OPEN_FOLDER } from "../adapters/job-store/blob.ts";
import { PromClientMetrics } from "../adapters/metrics/prom-client.ts";
import { RedisRateLimiter } from "../adapters/rate-limiter/redis.ts";
import { DirStaticFiles } from "../adapters/static-files/dir.ts";
import { createApp } from "../app.ts";
import type { Deps } from "../deps.ts";
import { systemClock } from "../jobs/clock.ts";
import { newId } from "../jobs/job-id.ts";
import { leasePolicy } from "../jobs/lease.ts";
import { Reconciler } from "../jobs/reconcile.ts";
import { TokenDigests } from "../memo/token-digests.ts";
import type { BlobStore } from "../ports/blob-store.ts";
import { forwardedClientIp, socketClientIp } from "./client-ip.ts";
import { runPrimary, workerSlot } from "./cluster.ts";
import { ClusterMetrics } from "./cluster-metrics.ts";
import { ConfigError, loadNodeConfig, type NodeConfig } from "./config.ts";
import { closeOnSignals, listen, type NodeServer } from "./server.ts";
import { nodeSha256Hex } from "./sha256-hex.ts";

export interface NodeDeps {
  deps: Deps;
  dispatcher: RedisDispatcher;
  reconciler: Reconciler;
  close(): Promise<void>;
}

// The reconciler's full pass (store -> queue) runs this often; whether Redis lost its data is checked every
// RECONCILE_CHECK_MS, and GET /v1 checks before it counts.
const RECONCILE_EVERY_MS = 60_000;
const RECONCILE_CHECK_MS = 1_000;

export function buildNodeDeps(
  config: NodeConfig,
  // processMetrics: Node's own (CPU, memory, event loop) on GET /metrics; only the real process turns them on.
  options: { fetch?: (r: Request) => Promise<Response>; processMetrics?: boolean } = {},
) {
  // The directory store journals new records (group commit, replayed here at start: fs-journal.ts).
  const storage = config.storage;
  const fsBlobs =
    storage.kind === "fs"
      ? new FsBlobStore(storage.dir, { journal: true, countedFolders: [OPEN_FOLDER] })
      : null;
  const blobs: BlobStore =
    storage.kind === "fs"
      ? (fsBlobs as FsBlobStore)
      : new S3BlobStore({ ...storage, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const now = systemClock;
  const jobs = new BlobJobStore(blobs, {
    bytesPerOpenJob: config.storage.kind === "fs" ? config.storage.bytesPerOpenJob : 0,
    now,
    // Another process sharing the store may mark a settled record (an operator's purge): read again after this.
    settledMemoMs: CACHE_MEMO_MS,
    // One process answers many POSTs at once: the first records of a turn share one object (record-packs.ts).
    packRecords: true,
  });
  const dispatcher = new RedisDispatcher({
    now,
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    jobs,
    lease: leasePolicy(config.app.leaseSeconds),
    communityCachePolicy: config.app.communityCachePolicy,
  });
  const repair = new RedisQueueRepair({ redis: dispatcher.redis, prefix: config.redisPrefix, jobs });
  const reconciler = new Reconciler(jobs, repair);
  dispatcher.beforeStats = () => reconciler.ensure();
  const rateLimiter = new RedisRateLimiter({
    redis: dispatcher.redis,
    prefix: config.redisPrefix,
    limit: config.rateLimitPerMinute,
    now,
    onError: (err) => console.error("rate limiter: redis unavailable, letting the request through:", err),
  });
  const ownMetrics = new PromClientMetrics({
    redis: dispatcher.redis,
    prefix: config.redisPrefix,
    processMetrics: options.processMetrics === true,
  });
  // A worker of API_PROCESSES > 1 answers GET /metrics with every worker's counts (node/cluster-metrics.ts).
  const metrics = cluster.isWorker && config.processes > 1 ? new ClusterMetrics(ownMetrics) : ownMetrics;
  const deps: Deps = {
    blobs,
    jobs,
    dispatcher,
    rateLimiter,
    metrics,
    buildHealth: new MemoisedBuildHealthStore(
      new RedisBuildHealthStore(dispatcher.redis, config.redisPrefix),
      buildHealthMemo(),
    ),
    staticFiles: config.staticDir ? new DirStaticFiles(config.staticDir) : null,
    responseCache: null,
    config: config.app,
    clientIp: config.trustProxy ? forwardedClientIp : socketClientIp,
    now,
    newId,
    sha256Hex: nodeSha256Hex,
    agentTokenDigests: new TokenDigests(),
  };
  const close = async () => {
    await dispatcher.close();
    await fsBlobs?.close();
  };
  return { deps, dispatcher, reconciler, close } satisfies NodeDeps;
}

export type { NodeServer };

export async function startNodeServer(
  config: NodeConfig,
  options: {
    fetch?: (r: Request) => Promise<Response>;
    reaper?: boolean;
    reconciler?: boolean;
    processMetrics?: boolean;
  } = {},
): Promise<NodeServer> {
  const built = buildNodeDeps(config, options);
  const stopReconciler =
    options.reconciler === false
      ? () => {}
      : built.reconciler.start(RECONCILE_EVERY_MS, RECONCILE_CHECK_MS, (err) =>
          console.error(`reconciler: ${(err as Error)?.message ?? err}`),
        );
  return await listen({
    app: createApp({ deps: () => built.deps }),
    deps: built.deps,
    dispatcher: built.dispatcher,
    host: config.host,
    port: config.port,
    reaperIntervalMs: options.reaper === false ? null : built.dispatcher.leasePolicy.reaperIntervalMs,
    closeDeps: async () => {
      stopReconciler();
      await built.close();
    },
  });
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
  if (config.processes > 1 && cluster.isPrimary) {
    runPrimary(config.processes, `${config.host}:${config.port}`);
    return;
  }
  const server = await startNodeServer(config, { processMetrics: true }).catch((err) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EADDRINUSE" && code !== "EACCES" && code !== "EADDRNOTAVAIL") throw err;
    // Exit 2, like a refused configuration: a worker of API_PROCESSES > 1 stops the API rather than being
    // restarted forever (node/cluster.ts).
    console.error(`qmk-edge: cannot listen on ${config.host}:${config.port} (${code}); set HOST / PORT`);
    process.exit(2);
  });
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
  const site = config.staticDir ? `; serving ${config.staticDir} beside /v1` : "";
  const slot = workerSlot();
  const proc = slot === null ? "" : `; process ${slot} of ${config.processes}, pid ${process.pid}`;
  console.log(
    `qmk-edge API listening on ${server.url} (redis ${redactUrl(config.redisUrl)}, blobs in ${storage}${site}${proc})`,
  );
  closeOnSignals(server);
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
