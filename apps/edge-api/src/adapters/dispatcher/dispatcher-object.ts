import { DurableObject } from "cloudflare:workers";
import type {
  ArtifactKind,
  ArtifactRef,
  CompleteRequest,
  HeartbeatRequest,
  HeartbeatResponse,
  JobRecord,
  LeaseHolder,
  LeaseRequest,
  LeaseResponse,
  ReleaseRequest,
} from "@qmk-edge/schema";
import { newId } from "../../job-id.ts";
import { publishBuild } from "../../jobs/build-cache.ts";
import { LeaseLostError, NotFoundError } from "../../jobs/errors.ts";
import {
  assertLease,
  attachArtifact,
  completeJob,
  expireLease,
  failJob,
  isTerminal,
  markVerified,
  recordHeartbeat,
  releaseJob,
  revokeLease,
  startLease,
} from "../../jobs/lifecycle.ts";
import type { DispatchStats } from "../../ports/dispatcher.ts";
import type { JobStore } from "../../ports/job-store.ts";
import { configFromEnv, type Env, type WorkerConfig } from "../../worker-env.ts";
import { R2BlobStore } from "../blob-store/r2.ts";
import { BlobJobStore } from "../job-store/blob.ts";
import {
  createSchema,
  dispatchStats,
  expiredLeaseRows,
  insertJob,
  type JobRow,
  jobRow,
  learnToolchain,
  markSaved,
  nextDue,
  oldestClaimableRow,
  purge,
  queuedAhead,
  seeAgent,
  unsavedJobIds,
  updateJob,
} from "./dispatcher-sql.ts";
import { type LeaseAsk, LeaseWaiters } from "./lease-waiters.ts";
import { type Outcome, ok, outcomeOf } from "./outcome.ts";

// The one Dispatcher Durable Object. Its SQLite tables hold every job that is queued or running (and, for an
// hour, the ones that ended, so a repeated completion is answered without a blob read). Each transition is
// applied with jobs/lifecycle.ts and written to SQLite synchronously — so concurrent calls never interleave
// inside one — and then written through to the job record in R2, one write at a time per job.

const RETENTION_MS = 60 * 60 * 1000;
const RETRY_WRITE_MS = 10_000;
const AGENT_MEMORY_MS = 24 * 60 * 60 * 1000;

interface Claim {
  previous: JobRecord;
  response: LeaseResponse;
}

export class DispatcherObject extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  readonly #jobs: JobStore;
  readonly #config: WorkerConfig;
  readonly #waiters = new LeaseWaiters();
  readonly #writes = new Map<string, Promise<void>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#jobs = new BlobJobStore(new R2BlobStore(env.BUCKET));
    this.#config = configFromEnv(env);
    createSchema(this.#sql);
  }

  // --- RPC methods (called through adapters/dispatcher/durable-object.ts and the queue consumers) ---

  // From the API right after the record is saved, and again from the Queue consumer: idempotent.
  async enqueue(record: JobRecord): Promise<Outcome<"queued" | "known" | "ended">> {
    try {
      if (this.#row(record.id)) return ok("known");
      if (record.status !== "queued") return ok("ended");
      insertJob(this.#sql, record);
      this.#wake();
      return ok("queued");
    } catch (err) {
      return this.#failed(err);
    }
  }

  // The Queue consumer's path: the message holds only the id; the record comes from R2.
  async enqueueById(jobId: string): Promise<Outcome<"queued" | "known" | "ended" | "unknown">> {
    try {
      if (this.#row(jobId)) return ok("known");
      const record = await this.#jobs.get(jobId);
      if (!record) return ok("unknown");
      return await this.enqueue(record);
    } catch (err) {
      return this.#failed(err);
    }
  }

  async lease(request: LeaseRequest, holder: LeaseHolder): Promise<Outcome<LeaseResponse | null>> {
    try {
      seeAgent(this.#sql, request.agent_id, request);
      const claim = this.#claim({ request, holder });
      if (claim) return await this.#settle(claim);
      if (!request.wait_ms) return ok(null);
      return await this.#waiters.wait({ request, holder }, request.wait_ms);
    } catch (err) {
      return this.#failed(err);
    }
  }

  async heartbeat(
    jobId: string,
    request: HeartbeatRequest,
    holder: LeaseHolder,
  ): Promise<Outcome<HeartbeatResponse>> {
    try {
      const record = await this.#active(jobId);
      const now = new Date();
      const expiresAt = new Date(now.getTime() + this.#config.leaseSeconds * 1000).toISOString();
      const next = recordHeartbeat(record, {
        leaseId: request.lease_id,
        holder,
        stage: request.stage,
        expiresAt,
        now: now.toISOString(),
      });
      this.#write(next);
      if (next.lease) seeAgent(this.#sql, next.lease.agent_id, null);
      await this.#persist(jobId);
      await this.#scheduleAlarm();
      return ok({ lease_expires_at: expiresAt });
    } catch (err) {
      return this.#failed(err);
    }
  }

  async checkLease(jobId: string, leaseId: string, holder: LeaseHolder): Promise<Outcome<null>> {
    try {
      assertLease(await this.#active(jobId), leaseId, holder);
      return ok(null);
    } catch (err) {
      return this.#failed(err);
    }
  }

  async attachArtifact(
    jobId: string,
    leaseId: string,
    holder: LeaseHolder,
    kind: ArtifactKind,
    ref: ArtifactRef,
  ): Promise<Outcome<null>> {
    try {
      this.#write(attachArtifact(await this.#active(jobId), { leaseId, holder, kind, ref }));
      await this.#persist(jobId);
      return ok(null);
    } catch (err) {
      return this.#failed(err);
    }
  }

  async complete(jobId: string, request: CompleteRequest, holder: LeaseHolder): Promise<Outcome<JobRecord>> {
    try {
      const now = new Date().toISOString();
      const row = this.#row(jobId);
      if (!row) {
        // Ended and forgotten here: only a repeat by the lease that completed it is answered.
        const stored = await this.#jobs.get(jobId);
        if (!stored) throw new NotFoundError(`no job ${jobId}`);
        if (completeJob(stored, request, holder, { now }) !== stored) {
          throw new LeaseLostError(`job ${jobId} is no longer leased`);
        }
        return ok(stored);
      }
      const current = JSON.parse(row.record) as JobRecord;
      let record = completeJob(current, request, holder, { now });
      const ended = record !== current;
      if (ended) this.#write(record);
      await this.#persist(jobId);
      if (ended && record.status === "finished") record = await this.#publish(record, now);
      await this.#scheduleAlarm();
      return ok(record);
    } catch (err) {
      return this.#failed(err);
    }
  }

  async release(jobId: string, request: ReleaseRequest, holder: LeaseHolder): Promise<Outcome<null>> {
    try {
      const now = new Date().toISOString();
      const args = { leaseId: request.lease_id, holder, reason: request.reason, now };
      this.#write(releaseJob(await this.#active(jobId), args));
      this.#wake();
      await this.#persist(jobId);
      await this.#scheduleAlarm();
      return ok(null);
    } catch (err) {
      return this.#failed(err);
    }
  }

  async revokeLease(jobId: string, leaseId: string, activeTokenIds: string[]): Promise<Outcome<boolean>> {
    try {
      const row = this.#row(jobId);
      if (!row) return ok(false);
      const current = JSON.parse(row.record) as JobRecord;
      const next = revokeLease(current, { leaseId, activeTokenIds, now: new Date().toISOString() });
      if (next === current) return ok(false);
      this.#write(next);
      this.#wake();
      await this.#persist(jobId);
      await this.#scheduleAlarm();
      return ok(true);
    } catch (err) {
      return this.#failed(err);
    }
  }

  async queuePosition(jobId: string): Promise<number | null> {
    const row = this.#row(jobId);
    if (row?.status !== "queued") return null;
    return queuedAhead(this.#sql, row.seq);
  }

  async stats(agentWindowSeconds: number, firmwareVersion: string): Promise<DispatchStats> {
    return dispatchStats(this.#sql, agentWindowSeconds, firmwareVersion);
  }

  // Leases whose expiry is at or before `now` go back to the queue with attempts + 1, or fail after the last attempt.
  async reapExpiredLeases(now: string): Promise<number> {
    const rows = expiredLeaseRows(this.#sql, Date.parse(now));
    for (const row of rows) this.#write(expireLease(JSON.parse(row.record) as JobRecord, { now }));
    if (rows.length > 0) this.#wake();
    const writes = await Promise.allSettled(rows.map((row) => this.#persist(row.id)));
    for (const w of writes)
      if (w.status === "rejected") console.error("dispatcher: record write failed", w.reason);
    await this.#scheduleAlarm();
    return rows.length;
  }

  // From the dead-letter queue's consumer: a job the Queue could not hand over ends `failed` with the reason,
  // unless it reached this object after all.
  async failUndeliverable(jobId: string, reason: string): Promise<Outcome<string>> {
    try {
      if (this.#row(jobId)) return ok("known");
      const record = await this.#jobs.get(jobId);
      if (!record) return ok("unknown");
      if (isTerminal(record)) return ok(record.status);
      await this.#jobs.put(failJob(record, reason, { now: new Date().toISOString() }));
      return ok("failed");
    } catch (err) {
      return this.#failed(err);
    }
  }

  override async alarm(): Promise<void> {
    await this.reapExpiredLeases(new Date().toISOString());
    for (const id of unsavedJobIds(this.#sql))
      await this.#persist(id).catch((err) => console.error("dispatcher: retry write", err));
    const now = Date.now();
    purge(this.#sql, now - RETENTION_MS, now - AGENT_MEMORY_MS);
    await this.#scheduleAlarm();
  }

  // --- internals ---

  // Offers a finished build to the build cache. A reproduced community build becomes verified (a second
  // write of the ended row); only verified builds teach the keyboard's toolchain, so no untrusted agent can
  // steer later jobs into the wrong lane. A cache that cannot be written costs a rebuild, never the job.
  async #publish(record: JobRecord, now: string): Promise<JobRecord> {
    let verified = record.verified === true;
    try {
      verified = (await publishBuild(this.#jobs, record, now)) || verified;
    } catch (err) {
      console.error(`dispatcher: build cache update for job ${record.id} failed`, err);
    }
    let final = record;
    if (verified && !record.verified) {
      final = markVerified(record);
      this.#write(final);
      await this.#persist(record.id).catch((err) => console.error("dispatcher: record write failed", err));
    }
    if (verified && final.toolchain) learnToolchain(this.#sql, final.request.keyboard, final.toolchain);
    return final;
  }

  #failed(err: unknown): Outcome<never> {
    const outcome = outcomeOf(err);
    if (!outcome.ok && outcome.error === "unavailable") console.error("dispatcher:", err);
    return outcome;
  }

  #row(id: string): JobRow | undefined {
    return jobRow(this.#sql, id);
  }

  // The record of a job this object holds, or the reason an agent cannot act on it.
  async #active(jobId: string): Promise<JobRecord> {
    const row = this.#row(jobId);
    if (row) return JSON.parse(row.record) as JobRecord;
    const stored = await this.#jobs.get(jobId);
    if (!stored) throw new NotFoundError(`no job ${jobId}`);
    throw new LeaseLostError(`job ${jobId} is ${stored.status} and no longer leased`);
  }

  // Applies a transition's result to the row; the write-through to R2 follows in #persist.
  #write(record: JobRecord): void {
    updateJob(this.#sql, record);
  }

  // Writes the row's latest record to R2. Writes of one job run one after another, so R2 never ends up older.
  async #persist(id: string): Promise<void> {
    const previous = this.#writes.get(id) ?? Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async () => {
        const row = this.#row(id);
        if (!row || row.saved_version >= row.version) return;
        await this.#jobs.put(JSON.parse(row.record) as JobRecord);
        markSaved(this.#sql, id, row.version);
      });
    this.#writes.set(id, run);
    try {
      await run;
    } finally {
      if (this.#writes.get(id) === run) this.#writes.delete(id);
    }
  }

  // Leases the oldest job this agent can build. Synchronous on purpose: no other call runs in between.
  #claim({ request, holder }: LeaseAsk): Claim | null {
    const row = oldestClaimableRow(this.#sql, request);
    if (!row) return null;
    const previous = JSON.parse(row.record) as JobRecord;
    const now = new Date();
    const lease = {
      id: newId(),
      agent_id: request.agent_id,
      expires_at: new Date(now.getTime() + this.#config.leaseSeconds * 1000).toISOString(),
      token_id: holder.token_id,
      trust: holder.trust,
    };
    const next = startLease(previous, lease, { now: now.toISOString() });
    this.#write(next);
    return {
      previous,
      response: {
        job: {
          id: next.id,
          request: next.request,
          content_key: next.content_key,
          firmware_version: next.firmware_version,
          attempts: next.attempts,
        },
        lease_id: lease.id,
        lease_expires_at: lease.expires_at,
      },
    };
  }

  // Makes a claim durable in R2; if that fails the job goes back to the queue untouched.
  async #settle(claim: Claim): Promise<Outcome<LeaseResponse>> {
    const id = claim.previous.id;
    try {
      await this.#persist(id);
    } catch (err) {
      const row = this.#row(id);
      if (row && row.status === "running" && JSON.parse(row.record).lease?.id === claim.response.lease_id) {
        this.#write(claim.previous);
      }
      return this.#failed(err);
    }
    await this.#scheduleAlarm();
    return ok(claim.response);
  }

  // Hands newly queued jobs to agents that are long-polling, oldest poll first.
  #wake(): void {
    this.#waiters.wake((ask) => {
      const claim = this.#claim(ask);
      return claim ? this.#settle(claim).catch((err) => this.#failed(err)) : null;
    });
  }

  // One alarm at the earliest moment something is due: a lease expiry, a failed write to retry, a purge.
  async #scheduleAlarm(): Promise<void> {
    const due = nextDue(this.#sql);
    const candidates = [
      due.lease,
      due.ended === null ? null : due.ended + RETENTION_MS,
      due.dirty ? Date.now() + RETRY_WRITE_MS : null,
    ].filter((t): t is number => t !== null);
    if (candidates.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...candidates));
  }
}
