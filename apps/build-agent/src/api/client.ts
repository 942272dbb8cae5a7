import {
  ARTIFACT_CONTENT_TYPES,
  ARTIFACT_HEADERS,
  type ArtifactKind,
  type ArtifactLinkRequest,
  type ArtifactUploadResponse,
  artifactUploadResponse,
  type BuildHealthClaim,
  type BuildHealthClaimRequest,
  type BuildHealthReport,
  buildHealthClaim,
  type CompleteRequest,
  type CompleteResponse,
  completeResponse,
  type DisconnectRequest,
  disconnectResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  heartbeatResponse,
  type LeaseRequest,
  type LeaseResponse,
  leaseResponse,
  type ReleaseRequest,
} from "@qmk-edge/schema";
import { z } from "zod";
import type { Logger } from "../log.ts";
import { sleep } from "../sleep.ts";
import {
  type ApiCall,
  type ApiClientOptions,
  type ArtifactUpload,
  DEFAULT_RETRY,
  type RetryPolicy,
} from "./call.ts";
import { ApiError, ApiUnavailableError, errorFor, ProtocolError } from "./errors.ts";

// The agent's one HTTP client for /v1/agent/*. Transient failures (network errors, 5xx, 429) are retried
// with exponential backoff and full jitter; the answers a caller can act on become typed errors
// (api/errors.ts).

export class ApiClient {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #log: Logger;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #random: () => number;

  constructor(opts: ApiClientOptions) {
    this.#baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.#token = opts.token;
    this.#log = opts.log;
    this.#retry = opts.retry ?? DEFAULT_RETRY;
    this.#timeoutMs = opts.requestTimeoutMs ?? 60_000;
    this.#fetch = opts.fetch ?? fetch;
    this.#random = opts.random ?? Math.random;
  }

  // Build health: the next keyboard whose default keymap to build while idle; null when none is due (204).
  async claimBuildHealth(
    req: BuildHealthClaimRequest,
    signal?: AbortSignal,
  ): Promise<BuildHealthClaim | null> {
    return this.#call({
      method: "POST",
      path: "/v1/agent/build_health/claim",
      json: req,
      schema: buildHealthClaim,
      signal,
      allowNoContent: true,
    });
  }

  async reportBuildHealth(report: BuildHealthReport, signal?: AbortSignal): Promise<void> {
    await this.#call({
      method: "POST",
      path: "/v1/agent/build_health/report",
      json: report,
      schema: z.object({ recorded: z.literal(true) }),
      signal,
    });
  }

  // Long-polls up to req.wait_ms; null when no job arrived (204).
  async lease(req: LeaseRequest, signal?: AbortSignal): Promise<LeaseResponse | null> {
    return this.#call({
      method: "POST",
      path: "/v1/agent/lease",
      json: req,
      schema: leaseResponse,
      timeoutMs: (req.wait_ms ?? 0) + this.#timeoutMs,
      signal,
      allowNoContent: true,
    });
  }

  async heartbeat(jobId: string, req: HeartbeatRequest, signal?: AbortSignal): Promise<HeartbeatResponse> {
    const res = await this.#call({
      method: "POST",
      path: `/v1/agent/jobs/${jobId}/heartbeat`,
      json: req,
      schema: heartbeatResponse,
      signal,
    });
    return res!;
  }

  async uploadArtifact(
    jobId: string,
    kind: ArtifactKind,
    a: ArtifactUpload,
    signal?: AbortSignal,
  ): Promise<ArtifactUploadResponse> {
    const res = await this.#call({
      method: "PUT",
      path: `/v1/agent/jobs/${jobId}/artifacts/${kind}`,
      body: a.body,
      headers: {
        "content-type": ARTIFACT_CONTENT_TYPES[kind],
        [ARTIFACT_HEADERS.leaseId]: a.leaseId,
        [ARTIFACT_HEADERS.sha256]: a.sha256,
        [ARTIFACT_HEADERS.filename]: a.filename,
      },
      schema: artifactUploadResponse,
      // A second per megabyte on top: a tree zip of hundreds of megabytes must not hit the plain timeout.
      timeoutMs: this.#timeoutMs + Math.ceil(bodySize(a.body) / 1_000_000) * 1000,
      signal,
    });
    return res!;
  }

  // Attaches an object the API's store already holds; null (404) when it has none and it must be uploaded.
  async linkArtifact(
    jobId: string,
    kind: ArtifactKind,
    req: ArtifactLinkRequest,
    signal?: AbortSignal,
  ): Promise<ArtifactUploadResponse | null> {
    try {
      return await this.#call({
        method: "POST",
        path: `/v1/agent/jobs/${jobId}/artifacts/${kind}/link`,
        json: req,
        schema: artifactUploadResponse,
        signal,
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  async complete(jobId: string, req: CompleteRequest, signal?: AbortSignal): Promise<CompleteResponse> {
    const res = await this.#call({
      method: "POST",
      path: `/v1/agent/jobs/${jobId}/complete`,
      json: req,
      schema: completeResponse,
      signal,
    });
    return res!;
  }

  async release(jobId: string, req: ReleaseRequest, signal?: AbortSignal): Promise<void> {
    await this.#call({ method: "POST", path: `/v1/agent/jobs/${jobId}/release`, json: req, signal });
  }

  // The agent's last call: its abandoned lease poll ends and any lease it still holds goes back to the queue.
  // Returns how many leases that handed back (a job that reached the aborted poll and no one else).
  async disconnect(req: DisconnectRequest, signal?: AbortSignal): Promise<number> {
    const answer = await this.#call({
      method: "POST",
      path: "/v1/agent/disconnect",
      json: req,
      schema: disconnectResponse,
      signal,
    });
    return answer?.released ?? 0;
  }

  // For the protocol's other clients (catalogue/client.ts): the same token, retries and typed errors.
  send<T>(c: ApiCall<T>): Promise<T | null> {
    return this.#call(c);
  }

  async #call<T>(c: ApiCall<T>): Promise<T | null> {
    const url = `${this.#baseUrl}${c.path}`;
    let lastProblem = "";
    for (let attempt = 1; attempt <= this.#retry.attempts; attempt++) {
      if (attempt > 1) await sleep(this.#backoff(attempt - 1), c.signal);
      c.signal?.throwIfAborted();
      let res: Response;
      try {
        res = await this.#fetch(url, {
          method: c.method,
          headers: {
            authorization: `Bearer ${this.#token}`,
            ...(c.json !== undefined ? { "content-type": "application/json" } : {}),
            ...c.headers,
          },
          body: c.json !== undefined ? JSON.stringify(c.json) : c.body,
          signal: anySignal(c.signal, AbortSignal.timeout(c.timeoutMs ?? this.#timeoutMs)),
        });
      } catch (err) {
        if (c.signal?.aborted) throw c.signal.reason ?? err;
        lastProblem = `network error: ${describe(err)}`;
        this.#log.warn(`${c.method} ${c.path} failed, will retry`, { attempt, problem: lastProblem });
        continue;
      }
      if (res.status >= 500 || res.status === 429) {
        lastProblem = `HTTP ${res.status}: ${await bodyText(res)}`;
        this.#log.warn(`${c.method} ${c.path} failed, will retry`, { attempt, problem: lastProblem });
        continue;
      }
      if (res.status === 204) {
        if (c.allowNoContent || !c.schema) return null;
        throw new ApiError(204, `${c.method} ${c.path}: unexpected 204 No Content`);
      }
      if (!res.ok)
        throw errorFor(res.status, `${c.method} ${c.path}: HTTP ${res.status}: ${await bodyText(res)}`);
      if (!c.schema) {
        await res.body?.cancel();
        return null;
      }
      const parsed = c.schema.safeParse(await res.json().catch(() => undefined));
      if (!parsed.success) {
        throw new ProtocolError(
          res.status,
          `${c.method} ${c.path}: the API answered a body this agent does not understand: ${parsed.error.message}`,
        );
      }
      return parsed.data;
    }
    throw new ApiUnavailableError(
      `${c.method} ${c.path} failed ${this.#retry.attempts} times; last: ${lastProblem}`,
    );
  }

  #backoff(retry: number): number {
    return backoffDelay(this.#retry, retry, this.#random);
  }
}

// Full jitter: a random delay in [0, min(max, base * 2^(n-1))] before retry n, so a fleet of agents
// does not retry in lockstep after an outage.
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(random() * cap);
}

const bodySize = (body: Uint8Array | Blob) => (body instanceof Blob ? body.size : body.byteLength);

async function bodyText(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  return text.slice(0, 500) || res.statusText;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : "";
  return `${err.message}${cause}`;
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
