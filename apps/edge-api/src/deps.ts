import type { Context } from "hono";
import type { BlobStore } from "./ports/blob-store.ts";
import type { Dispatcher } from "./ports/dispatcher.ts";
import type { JobStore } from "./ports/job-store.ts";
import type { RateLimiter } from "./ports/rate-limiter.ts";
import type { ResponseCache } from "./ports/response-cache.ts";

export interface AppConfig {
  serviceVersion: string;
  // The firmware version the agent pool builds; part of every content key.
  firmwareVersion: string;
  // Lower-case hex sha256 of each accepted agent token; the tokens themselves are never configured.
  agentTokenHashes: string[];
  maxAttempts: number;
  leaseSeconds: number;
  agentWindowSeconds: number;
  // Base of the absolute URLs in status answers; the request's origin when absent.
  publicBaseUrl?: string;
}

// Everything a route may touch. Entry points (worker.ts, node.ts) build it from their runtime's adapters.
export interface Deps {
  blobs: BlobStore;
  jobs: JobStore;
  dispatcher: Dispatcher;
  rateLimiter: RateLimiter;
  // Edge cache for immutable artifact downloads; null where the runtime has none.
  responseCache: ResponseCache | null;
  config: AppConfig;
  // The client address that rate limits key on (Workers: CF-Connecting-IP; Node: the socket or a trusted proxy).
  clientIp: (c: Context<AppEnv>) => string | null;
  now: () => Date;
  newId: () => string;
}

export interface AppEnv {
  // biome-ignore lint/suspicious/noExplicitAny: each runtime passes its own bindings (Workers env, Node incoming).
  Bindings: any;
  Variables: { deps: Deps };
}
