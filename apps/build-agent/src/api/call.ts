import type { z } from "zod";
import type { Logger } from "../log.ts";

// The shapes the agent's HTTP client (api/client.ts) takes: its options, retry policy and one call.

export interface RetryPolicy {
  attempts: number; // total tries, >= 1
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 15_000 };

export interface ApiClientOptions {
  baseUrl: string;
  token: string;
  log: Logger;
  retry?: RetryPolicy;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  random?: () => number;
}

export interface ArtifactUpload {
  leaseId: string;
  filename: string;
  sha256: string;
  // A Blob from fs.openAsBlob streams from disk (and again on a retry) with a known Content-Length.
  body: Uint8Array | Blob;
}

export interface ApiCall<T> {
  method: "GET" | "POST" | "PUT";
  path: string;
  json?: unknown;
  body?: Uint8Array | Blob;
  headers?: Record<string, string>;
  schema?: z.ZodType<T>;
  timeoutMs?: number;
  signal?: AbortSignal;
  allowNoContent?: boolean;
}
