import type { LeaseHolder } from "@qmk-edge/schema";
import type { Context } from "hono";
import type { AppConfig } from "./config/app-config.ts";
import type { TokenDigests } from "./memo/token-digests.ts";
import type { BlobStore } from "./ports/blob-store.ts";
import type { BuildHealthStore } from "./ports/build-health.ts";
import type { Dispatcher } from "./ports/dispatcher.ts";
import type { JobStore } from "./ports/job-store.ts";
import type { MetricsStore } from "./ports/metrics.ts";
import type { RateLimiter } from "./ports/rate-limiter.ts";
import type { ResponseCache } from "./ports/response-cache.ts";
import type { StaticFiles } from "./ports/static-files.ts";

// Everything a route may touch. Entry points (workers/main.ts, node/main.ts) build it from their runtime's adapters.
export interface Deps {
  blobs: BlobStore;
  jobs: JobStore;
  dispatcher: Dispatcher;
  rateLimiter: RateLimiter;
  // The operator's counters (GET /metrics); routes report events, never wait for them.
  metrics: MetricsStore;
  // Keyboards' default-keymap builds per firmware version (the /v1/keyboards/build_* routes).
  buildHealth: BuildHealthStore;
  // A web app (QMK Configurator) served beside /v1 on the same origin; null when none is configured.
  staticFiles: StaticFiles | null;
  // Edge cache for immutable artifact downloads; null where the runtime has none.
  responseCache: ResponseCache | null;
  config: AppConfig;
  // The client address that rate limits key on (Workers: CF-Connecting-IP; Node: the socket or a trusted proxy).
  clientIp: (c: Context<AppEnv>) => string | null;
  now: () => Date;
  newId: () => string;
  // sha256 as lower-case hex (content keys, agent tokens). Workers: Web Crypto. Node: node:crypto on the
  // calling thread, as Web Crypto's digest there is a trip through the thread pool (8-10 % of a cache hit).
  sha256Hex: (data: string | Uint8Array) => Promise<string>;
  // Agent tokens' digests kept per isolate or process (memo/token-digests.ts), so a call does not hash its token.
  agentTokenDigests: TokenDigests;
}

export interface AppEnv {
  // biome-ignore lint/suspicious/noExplicitAny: each runtime passes its own bindings (Workers env, Node incoming).
  Bindings: any;
  // `agent` is set by requireAgent on /v1/agent/*: the token the caller authenticated with.
  Variables: { deps: Deps; agent: LeaseHolder };
}
