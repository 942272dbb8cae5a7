import type { JobStage, LeaseResponse, Toolchain } from "@qmk-edge/schema";
import {
  type ApiClient,
  ApiError,
  LeaseLostError,
  PayloadTooLargeError,
  ProtocolError,
  UnauthorizedError,
} from "./api-client.ts";
import { type BuildContext, disposeJob, type JobOutcome, runJob, tail } from "./job-runner.ts";
import { formatDuration, type Logger } from "./log.ts";
import { attachTree, uploadArtifacts } from "./steps/upload.ts";

// lease (long-poll) -> build -> upload -> complete, up to `concurrency` jobs at once, heartbeating each
// job's stage while it works. One job's trouble never stops the loop; only a rejected token does.
// Shutdown: stop leasing, let running jobs finish within the grace period, release the rest.

export interface AgentLoopOptions {
  api: ApiClient;
  build: BuildContext;
  agentId: string;
  toolchains: Toolchain[];
  concurrency: number;
  leaseWaitMs: number;
  shutdownGraceMs: number;
  log: Logger;
  // Pause after a release the agent asked for, so a job it cannot build is not leased straight back.
  releasePauseMs?: number;
  // Longest gap between heartbeats (they also go out at every stage change and at a third of the lease).
  heartbeatMaxIntervalMs?: number;
  random?: () => number;
}

// Why a running job was stopped from outside.
class ShutdownAbort extends Error {
  override name = "ShutdownAbort";
}
// The process is exiting on an unexpected error; releaseAll has released the job already.
class CrashAbort extends Error {
  override name = "CrashAbort";
}

export class AgentLoop {
  readonly #o: AgentLoopOptions;
  readonly #running = new Map<string, { done: Promise<void>; abort: AbortController; leaseId: string }>();
  readonly #stopLeasing = new AbortController();
  #graceOver = new AbortController();
  #stopping = false;
  #exitCode = 0;
  #slotFreed: (() => void) | null = null;
  #leaseErrors = 0;
  #handled = 0;

  constructor(opts: AgentLoopOptions) {
    this.#o = opts;
  }

  get runningJobs(): number {
    return this.#running.size;
  }

  get handledJobs(): number {
    return this.#handled;
  }

  // Resolves with the process exit code once the loop has stopped and every job is settled.
  async run(): Promise<number> {
    const { log } = this.#o;
    log.info("agent started", {
      agent: this.#o.agentId,
      firmware: this.#o.build.trees.current.version,
      toolchains: this.#o.toolchains.join(","),
      concurrency: this.#o.concurrency,
    });
    while (!this.#stopping) {
      if (this.#running.size >= this.#o.concurrency) {
        await new Promise<void>((resolve) => {
          this.#slotFreed = resolve;
        });
        continue;
      }
      const lease = await this.#lease();
      if (lease) this.#start(lease);
    }
    await this.#drain();
    log.info("agent stopped", { jobs: this.#handled });
    return this.#exitCode;
  }

  // First call: stop leasing and let jobs finish within the grace period. Second call: do not wait.
  shutdown(reason: string): void {
    if (this.#stopping) {
      this.#o.log.warn("stopping running jobs now", { reason });
      this.#graceOver.abort();
      return;
    }
    this.#o.log.info("shutting down: no new jobs", { reason, running: this.#running.size });
    this.#stopping = true;
    this.#stopLeasing.abort(new ShutdownAbort(reason));
    this.#slotFreed?.();
  }

  // The process is about to die of an unexpected error (main.ts): stop every build and hand each leased
  // job back at once, so it is rebuilt now rather than after its lease expires. Never throws.
  async releaseAll(reason: string): Promise<void> {
    this.#stopping = true;
    this.#stopLeasing.abort(new ShutdownAbort(reason));
    const running = [...this.#running.entries()];
    for (const [, job] of running) job.abort.abort(new CrashAbort(reason));
    await Promise.all(
      running.map(([jobId, job]) =>
        this.#release(jobId, job.leaseId, reason, this.#o.log.child({ job: jobId })),
      ),
    );
  }

  async #lease(): Promise<LeaseResponse | null> {
    const { api, log } = this.#o;
    try {
      const lease = await api.lease(
        {
          agent_id: this.#o.agentId,
          toolchains: this.#o.toolchains,
          firmware_version: this.#o.build.trees.current.version,
          wait_ms: this.#o.leaseWaitMs,
        },
        this.#stopLeasing.signal,
      );
      this.#leaseErrors = 0;
      return lease;
    } catch (err) {
      if (this.#stopping) return null;
      // A rejected token or a refused lease request will not fix itself: stop and say why. (A job this
      // agent cannot read is different: its lease expires, the API retries or fails it, the loop goes on.)
      const refused =
        err instanceof ApiError && !(err instanceof ProtocolError) && err.status < 500 && err.status !== 409;
      if (err instanceof UnauthorizedError || refused) {
        log.error(`the API refused to lease jobs to this agent: ${err.message}`);
        this.#exitCode = 1;
        this.shutdown("fatal API error");
        return null;
      }
      this.#leaseErrors++;
      const wait = this.#jitter(Math.min(30_000, 1000 * 2 ** Math.min(this.#leaseErrors, 5)));
      log.warn("leasing failed; retrying", { problem: String(err), retry_in_ms: wait });
      await sleep(wait, this.#stopLeasing.signal).catch(() => {});
      return null;
    }
  }

  #start(lease: LeaseResponse): void {
    const abort = new AbortController();
    const done = this.#runLeased(lease, abort)
      .catch((err) => this.#o.log.error("job handling failed", { job: lease.job.id, problem: String(err) }))
      .finally(() => {
        this.#running.delete(lease.job.id);
        this.#handled++;
        const wake = this.#slotFreed;
        this.#slotFreed = null;
        wake?.();
      });
    this.#running.set(lease.job.id, { done, abort, leaseId: lease.lease_id });
  }

  async #runLeased(lease: LeaseResponse, abort: AbortController): Promise<void> {
    const { api, build } = this.#o;
    const job = lease.job;
    const log = this.#o.log.child({ job: job.id });
    log.info("leased", {
      keyboard: job.request.keyboard,
      keymap: job.request.keymap,
      attempts: job.attempts,
    });
    const heartbeat = new Heartbeat(
      api,
      job.id,
      lease,
      log,
      this.#o.heartbeatMaxIntervalMs ?? 10_000,
      (err) => abort.abort(err),
    );
    const started = performance.now();
    try {
      const outcome = await runJob(job, build, { signal: abort.signal, onStage: (s) => heartbeat.stage(s) });
      if (outcome.kind === "release") {
        log.warn(`handing the job back: ${outcome.reason}`);
        await this.#release(job.id, lease.lease_id, outcome.reason, log);
        await sleep(this.#o.releasePauseMs ?? 5000, this.#stopLeasing.signal).catch(() => {});
        return;
      }
      heartbeat.stage("uploading");
      await this.#deliver(outcome, lease, abort.signal, log);
      log.info(`${outcome.result.status} in ${formatDuration(performance.now() - started)}`, {
        returncode: outcome.result.returncode,
        firmware: outcome.result.firmware_filename,
      });
    } catch (err) {
      const reason = abort.signal.aborted ? abort.signal.reason : err;
      if (reason instanceof LeaseLostError || err instanceof LeaseLostError) {
        log.warn("lease lost; job abandoned without completing it", {
          problem: String((reason as Error).message),
        });
      } else if (reason instanceof ShutdownAbort) {
        log.warn("stopped by shutdown; releasing the job to another agent");
        await this.#release(job.id, lease.lease_id, "agent shutting down", log);
      } else if (reason instanceof CrashAbort) {
        log.warn("stopped: the agent is exiting on an unexpected error (the job was released)");
      } else {
        log.error("could not finish the job; its lease will expire and it will be retried", {
          problem: String(err),
        });
      }
    } finally {
      heartbeat.stop();
      await disposeJob(build.workDir, job.id).catch(() => {});
    }
  }

  // Uploads then completes. A failed build's artifacts are a courtesy: their upload may fail without
  // keeping the failure from being reported.
  async #deliver(
    outcome: Extract<JobOutcome, { kind: "done" }>,
    lease: LeaseResponse,
    signal: AbortSignal,
    log: Logger,
  ): Promise<void> {
    const { api } = this.#o;
    const result = { ...outcome.result, timings: { ...outcome.result.timings } };
    const t0 = performance.now();
    try {
      await uploadArtifacts(api, lease.job.id, lease.lease_id, outcome.artifacts, signal);
      const tree = outcome.artifacts.find((a) => a.kind === "tree");
      if (tree && result.status === "finished") {
        await attachTree(api, lease.job.id, lease.lease_id, tree, log, signal);
      }
    } catch (err) {
      if (err instanceof LeaseLostError || signal.aborted) throw err;
      if (result.status === "finished" && !(err instanceof PayloadTooLargeError)) throw err;
      log.warn("artifact upload failed", { problem: String(err) });
      if (result.status === "finished") {
        result.status = "failed";
        result.returncode = 1;
        result.firmware_filename = null;
        result.output = tail(
          `${result.output}\nerror: the API refused an artifact: ${(err as Error).message}\n`,
        );
      }
    }
    result.timings.upload_ms = Math.round(performance.now() - t0);
    log.info(`done in ${formatDuration(result.timings.upload_ms)}`, { stage: "uploading" });
    await api.complete(lease.job.id, { lease_id: lease.lease_id, ...result }, signal);
  }

  async #release(jobId: string, leaseId: string, reason: string, log: Logger): Promise<void> {
    try {
      await this.#o.api.release(jobId, { lease_id: leaseId, reason }, AbortSignal.timeout(15_000));
    } catch (err) {
      log.warn("could not release the job; its lease will expire instead", { problem: String(err) });
    }
  }

  async #drain(): Promise<void> {
    if (this.#running.size === 0) return;
    const all = Promise.all([...this.#running.values()].map((j) => j.done));
    const grace = sleep(this.#o.shutdownGraceMs, this.#graceOver.signal).catch(() => {});
    await Promise.race([all, grace]);
    if (this.#running.size > 0) {
      this.#o.log.warn("grace period over; stopping running jobs", { running: this.#running.size });
      for (const j of this.#running.values()) j.abort.abort(new ShutdownAbort("grace period over"));
      await all;
    }
  }

  #jitter(ms: number): number {
    return Math.round(ms / 2 + (this.#o.random ?? Math.random)() * (ms / 2));
  }
}

// Keeps a job's lease alive and tells the API its stage. A 409 means the lease is gone: the job stops.
class Heartbeat {
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
