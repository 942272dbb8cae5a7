import type { JobStage, LeaseResponse } from "@qmk-edge/schema";
import type { ApiClient } from "../api/client.ts";
import { LeaseLostError } from "../api/errors.ts";
import type { Logger } from "../log.ts";

// Keeps a job's lease alive and tells the API its stage. A 409 means the lease is gone: the job stops.
export class Heartbeat {
  readonly #api: ApiClient;
  readonly #jobId: string;
  readonly #leaseId: string;
  readonly #log: Logger;
  readonly #onLost: (err: LeaseLostError) => void;
  readonly #maxIntervalMs: number;
  #stage: JobStage = "preparing";
  #expiresAt: number;
  #timer: NodeJS.Timeout | undefined;
  #inflight: Promise<void> | null = null;
  #stopped = false;
  readonly #stop = new AbortController();

  constructor(
    api: ApiClient,
    jobId: string,
    lease: LeaseResponse,
    log: Logger,
    maxIntervalMs: number,
    onLost: (err: LeaseLostError) => void,
  ) {
    this.#api = api;
    this.#maxIntervalMs = maxIntervalMs;
    this.#jobId = jobId;
    this.#leaseId = lease.lease_id;
    this.#log = log;
    this.#onLost = onLost;
    this.#expiresAt = Date.parse(lease.lease_expires_at);
    this.#schedule();
  }

  stage(stage: JobStage): void {
    if (stage === this.#stage) return;
    this.#stage = stage;
    void this.#beat();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#stop.abort();
  }

  // A third of the lease's remaining time, so two beats may fail before it expires.
  #schedule(): void {
    if (this.#stopped) return;
    const remaining = this.#expiresAt - Date.now();
    const delay = Math.max(
      Math.min(500, this.#maxIntervalMs),
      Math.min(this.#maxIntervalMs, Math.floor(remaining / 3)),
    );
    this.#timer = setTimeout(() => void this.#beat().then(() => this.#schedule()), delay);
  }

  #beat(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#inflight) return this.#inflight;
    this.#inflight = this.#api
      .heartbeat(this.#jobId, { lease_id: this.#leaseId, stage: this.#stage }, this.#stop.signal)
      .then((res) => {
        this.#expiresAt = Date.parse(res.lease_expires_at);
      })
      .catch((err) => {
        if (this.#stopped) return;
        if (err instanceof LeaseLostError) {
          this.stop();
          this.#onLost(err);
        } else this.#log.warn("heartbeat failed", { problem: String(err) });
      })
      .finally(() => {
        this.#inflight = null;
      });
    return this.#inflight;
  }
}
