import type { Context } from "hono";
import { DurableObjectBuildHealthStore } from "../adapters/build-health/durable-object/client.ts";
import { BuildHealthObject } from "../adapters/build-health/durable-object/object.ts";
import { MemoisedBuildHealthStore } from "../adapters/build-health/memo.ts";
import { DurableObjectDispatcher } from "../adapters/dispatcher/durable-object/client.ts";
import { DispatcherLobby } from "../adapters/dispatcher/durable-object/lobby.ts";
import { DispatcherObject } from "../adapters/dispatcher/durable-object/object.ts";
import {
  consumeDeadLetters,
  consumeJobs,
  DEAD_LETTER_QUEUE,
} from "../adapters/dispatcher/durable-object/queue-consumer.ts";
import { DurableObjectMetrics } from "../adapters/metrics/durable-object/client.ts";
import { MetricsObject } from "../adapters/metrics/durable-object/object.ts";
import { DurableObjectRateLimiter } from "../adapters/rate-limiter/durable-object/client.ts";
import { RateLimiterObject } from "../adapters/rate-limiter/durable-object/object.ts";
import { WorkersResponseCache } from "../adapters/response-cache/workers-cache.ts";
import { WorkersAssets } from "../adapters/static-files/workers-assets.ts";
import { createApp } from "../app.ts";
import { sha256Hex } from "../bytes/sha256-hex.ts";
import type { AppEnv, Deps } from "../deps.ts";
import { systemClock } from "../jobs/clock.ts";
import { newId } from "../jobs/job-id.ts";
import { attachDeclaredBody } from "./declared-body.ts";
import { configFromEnv, type Env } from "./env.ts";
import { isolateStores } from "./isolate-stores.ts";
import { reconcileOnSchedule } from "./reconcile.ts";

// Cloudflare Workers entry point: wires the bindings into the app, the queue consumers and the Durable Objects.

function workerDeps(c: Context<AppEnv>): Deps {
  const env = c.env as Env;
  const config = configFromEnv(env);
  const { blobs, jobs, sentPresence, metricsBatch, buildHealthMemo, agentTokenDigests } = isolateStores(env);
  return {
    blobs,
    jobs,
    dispatcher: new DurableObjectDispatcher(env.DISPATCHER, env.JOBS, {
      shards: config.dispatcherShards,
      lobby: env.DISPATCHER_LOBBY,
    }),
    rateLimiter: new DurableObjectRateLimiter(env.RATE_LIMITER, config.rateLimitPerMinute),
    metrics: new DurableObjectMetrics(
      env.METRICS,
      (p) => c.executionCtx.waitUntil(p),
      sentPresence,
      metricsBatch,
    ),
    buildHealth: new MemoisedBuildHealthStore(
      new DurableObjectBuildHealthStore(env.BUILD_HEALTH_STORE),
      buildHealthMemo,
    ),
    staticFiles: env.ASSETS ? new WorkersAssets(env.ASSETS) : null,
    responseCache: new WorkersResponseCache(caches.default, (p) => c.executionCtx.waitUntil(p)),
    config,
    clientIp: (ctx) => ctx.req.header("cf-connecting-ip") ?? null,
    now: systemClock,
    newId,
    sha256Hex,
    agentTokenDigests,
  };
}

const app = createApp({ deps: workerDeps });

export default {
  fetch: (request, env, ctx) => app.fetch(attachDeclaredBody(request), env, ctx),
  async queue(batch, env) {
    if (batch.queue === DEAD_LETTER_QUEUE) await consumeDeadLetters(batch, env);
    else await consumeJobs(batch, env);
  },
  // The Cron Trigger (wrangler.jsonc): jobs the store holds open that a Dispatcher shard lost are queued again.
  scheduled(_controller, env, ctx) {
    reconcileOnSchedule(env, ctx);
  },
} satisfies ExportedHandler<Env>;

export { BuildHealthObject, DispatcherLobby, DispatcherObject, MetricsObject, RateLimiterObject };
