import type { LeaseResponse, Toolchain } from "@qmk-edge/schema";
import type { ApiClient } from "../api/client.ts";
import { ApiError, LeaseLostError, ProtocolError, UnauthorizedError } from "../api/errors.ts";
import type { BuildHealthRunner } from "../health/runner.ts";
import type { BuildContext } from "../job/context.ts";
import { disposeJob, runJob } from "../job/run-job.ts";
import { formatDuration, type Logger } from "../log.ts";
import type { AgentMetrics } from "../metrics/agent-metrics.ts";
import { sleep } from "../sleep.ts";
import { deliver } from "./deliver.ts";
import { disconnect } from "./disconnect.ts";
import { Heartbeat } from "./heartbeat.ts";

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
  // Default-keymap builds while no user job runs (health/runner.ts); absent: none.
  health?: BuildHealthRunner;
  metrics?: AgentMetrics;
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
      if (lease) {
        // User jobs go first: an idle-time default-keymap build stops for one at once.
        if (this.#o.health?.active) {
          log.info("a job arrived: stopping the default-keymap build");
          await this.#o.health.stop("a user job arrived");
        }
        this.#start(lease);
      } else if (!this.#stopping && this.#running.size === 0) this.#o.health?.start();
    }
    await this.#o.health?.stop("agent stopping");
    await this.#drain();
    await disconnect(this.#o.api, this.#o.agentId, this.#o.log);
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
    void this.#o.health?.stop(reason);
    this.#slotFreed?.();
  }

  // The process is about to die of an unexpected error (main.ts): stop every build and hand each leased
  // job back at once, so it is rebuilt now rather than after its lease expires. Never throws.
  async releaseAll(reason: string): Promise<void> {
    this.#stopping = true;
    this.#stopLeasing.abort(new ShutdownAbort(reason));
    const running = [...this.#running.entries()];
    void this.#o.health?.stop(reason);
    for (const [, job] of running) job.abort.abort(new CrashAbort(reason));
    await Promise.all(
      running.map(([jobId, job]) =>
        this.#release(jobId, job.leaseId, reason, this.#o.log.child({ job: jobId })),
      ),
    );
    await disconnect(this.#o.api, this.#o.agentId, this.#o.log);
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
        this.#o.metrics?.running.set(this.#running.size);
        this.#handled++;
        const wake = this.#slotFreed;
        this.#slotFreed = null;
        wake?.();
      });
    this.#running.set(lease.job.id, { done, abort, leaseId: lease.lease_id });
    this.#o.metrics?.running.set(this.#running.size);
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
      await deliver(api, outcome, lease, abort.signal, log);
      this.#count(job.firmware_version, outcome.result.status, outcome.result.timings);
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

  #count(version: string, outcome: string, timings: Record<string, number | undefined>): void {
    const metrics = this.#o.metrics;
    if (!metrics) return;
    metrics.builds.inc({ firmware_version: version, outcome });
    for (const [key, ms] of Object.entries(timings)) {
      if (ms !== undefined) metrics.stageSeconds.observe({ stage: key.replace(/_ms$/, "") }, ms / 1000);
    }
  }

  #jitter(ms: number): number {
    return Math.round(ms / 2 + (this.#o.random ?? Math.random)() * (ms / 2));
  }
}
