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
import { agentsActiveSince } from "../../../jobs/agent-memory.ts";
import type { CommunityCachePolicy } from "../../../jobs/build-cache.ts";
import { type Clock, systemClock } from "../../../jobs/clock.ts";
import { LeaseLostError, NotFoundError } from "../../../jobs/errors.ts";
import { heartbeatJob, type LeasePolicy, leasePolicy } from "../../../jobs/lease.ts";
import * as lifecycle from "../../../jobs/lifecycle.ts";
import { failQueuedJob } from "../../../jobs/no-agent.ts";
import type { RepairOutcome } from "../../../jobs/reconcile.ts";
import type { DispatchStats } from "../../../ports/dispatcher.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import { R2BlobStore } from "../../blob-store/r2.ts";
import { BlobJobStore } from "../../job-store/blob.ts";
import { AlarmSchedule, nextAlarmAt, purgeForgotten } from "./alarm.ts";
import {
  communityCachePolicyOf,
  type DispatcherBindings,
  type DispatcherRpc,
  dispatcherShardsOf,
  leaseSecondsOf,
} from "./interface.ts";
import { JobTable } from "./job-table.ts";
import { Leases } from "./leases.ts";
import { failedOutcome, type Outcome, ok, outcomeOfCall, outcomeOrFailure } from "./outcome.ts";
import * as queueSql from "./queue-sql.ts";
import { OnePerJob, restoreFromStore } from "./repair.ts";
import { ShardRole } from "./shard-role.ts";
import * as sql from "./sql.ts";

const RECONCILED_KEY = "reconciled";

// A Dispatcher Durable Object: one shard of the dispatcher (shards.ts; with one shard, the only one). Its
// SQLite tables hold every job of the shard that is queued or running (and, for an hour, the ones that ended:
// alarm.ts). It stores and fetches; the rules are in jobs/ (lifecycle, lease, after-completion,
// agent-memory), applied with the object's clock.

export class DispatcherObject extends DurableObject<DispatcherBindings> implements DispatcherRpc {
  readonly #sql: SqlStorage;
  readonly #jobs: JobStore;
  readonly #table: JobTable;
  readonly #lease: LeasePolicy;
  readonly #cachePolicy: CommunityCachePolicy;
  // A Durable Object is built by the runtime, so its clock cannot be passed in; tests move time through
  // reapExpiredLeases(now) instead.
  readonly #now: Clock = systemClock;
  readonly #leases: Leases;
  readonly #shard: ShardRole;
  readonly #alarm: AlarmSchedule;
  readonly #readingRecord = new OnePerJob();

  constructor(ctx: DurableObjectState, env: DispatcherBindings) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#jobs = new BlobJobStore(new R2BlobStore(env.BUCKET));
    this.#table = new JobTable(this.#sql, this.#jobs, (keyboard, toolchain, jobId) =>
      this.#shard.teach(keyboard, toolchain, jobId),
    );
    this.#lease = leasePolicy(leaseSecondsOf(env));
    this.#cachePolicy = communityCachePolicyOf(env);
    this.#leases = new Leases({
      sql: this.#sql,
      table: this.#table,
      lease: this.#lease,
      now: this.#now,
      scheduleAlarm: () => this.#scheduleAlarm(),
    });
    this.#alarm = new AlarmSchedule(ctx.storage);
    this.#shard = new ShardRole(this.#sql, env, dispatcherShardsOf(env));
    sql.createSchema(this.#sql);
  }

  // From the API right after the record is saved, and again from the Queue consumer: idempotent.
  async enqueue(record: JobRecord): Promise<Outcome<"queued" | "known" | "ended">> {
    return await outcomeOfCall(() => {
      if (this.#table.row(record.id)) return "known";
      if (record.status !== "queued") return "ended";
      sql.insertJob(this.#sql, record);
      this.#leases.wake();
      this.#shard.queued(record, { requeued: false });
      return "queued";
    });
  }

  // The Queue consumer's path: the message holds only the id; the record comes from R2.
  async enqueueById(jobId: string): Promise<Outcome<"queued" | "known" | "ended" | "unknown">> {
    try {
      if (this.#table.row(jobId)) return ok("known");
      const record = await this.#jobs.get(jobId);
      return record ? await this.enqueue(record) : ok("unknown");
    } catch (err) {
      return failedOutcome(err);
    }
  }

  async enqueueAllById(jobIds: string[]) {
    const outcomes = [];
    for (const jobId of jobIds) outcomes.push(await this.enqueueById(jobId));
    return outcomes;
  }

  // From the reconciler (jobs/reconcile.ts, run by the Worker's Cron Trigger: workers/reconcile.ts): a job
  // the store holds as queued or running that this object does not know gets its row back (repair.ts).
  async repair(jobId: string): Promise<Outcome<RepairOutcome>> {
    return await outcomeOfCall(async () => {
      const { outcome, restored } = await this.#readingRecord.alone(
        jobId,
        { outcome: "known", restored: null },
        () => restoreFromStore(this.#sql, this.#table, this.#jobs, jobId),
      );
      if (restored?.status === "queued") {
        this.#leases.wake();
        this.#shard.queued(restored, { requeued: true });
      }
      if (restored) await this.#scheduleAlarm();
      return outcome;
    });
  }

  // A mark in this object's storage, set after each reconcile: gone when the storage was lost.
  async hasReconciled(): Promise<boolean> {
    return (await this.ctx.storage.get(RECONCILED_KEY)) !== undefined;
  }

  async markReconciled(): Promise<void> {
    await this.ctx.storage.put(RECONCILED_KEY, this.#now().toISOString());
  }

  async lease(request: LeaseRequest, holder: LeaseHolder): Promise<Outcome<LeaseResponse | null>> {
    return await outcomeOrFailure(() => {
      sql.seeAgent(this.#sql, request.agent_id, request, this.#now().getTime());
      return this.#leases.lease({ request, holder });
    });
  }

  // A lease across shards (sharded-calls.ts): `home` is the agent's own shard, where it is noted as seen.
  async offer(request: LeaseRequest, holder: LeaseHolder, home: boolean, claimAtBacklog: number) {
    return await outcomeOrFailure(() => {
      if (home) sql.seeAgent(this.#sql, request.agent_id, request, this.#now().getTime());
      return this.#leases.offer({ request, holder }, claimAtBacklog);
    });
  }

  async claim(request: LeaseRequest, holder: LeaseHolder, jobId: string) {
    return await outcomeOrFailure(() => this.#leases.claim({ request, holder }, jobId));
  }

  async heartbeat(
    jobId: string,
    request: HeartbeatRequest,
    holder: LeaseHolder,
  ): Promise<Outcome<HeartbeatResponse>> {
    return await outcomeOfCall(async () => {
      const now = this.#now();
      const beat = heartbeatJob(await this.#active(jobId), request, holder, {
        now,
        lease: this.#lease,
      });
      this.#table.write(beat.record);
      if (beat.record.lease) this.#shard.seen(beat.record.lease.agent_id, jobId, now.getTime());
      await this.#table.persist(jobId);
      await this.#scheduleAlarm();
      return beat.response;
    });
  }

  async checkLease(jobId: string, leaseId: string, holder: LeaseHolder): Promise<Outcome<null>> {
    return await outcomeOfCall(async () => {
      lifecycle.assertLease(await this.#active(jobId), leaseId, holder);
      return null;
    });
  }

  async attachArtifact(
    jobId: string,
    leaseId: string,
    holder: LeaseHolder,
    kind: ArtifactKind,
    ref: ArtifactRef,
  ): Promise<Outcome<null>> {
    return await outcomeOfCall(async () => {
      this.#table.write(lifecycle.attachArtifact(await this.#active(jobId), { leaseId, holder, kind, ref }));
      await this.#table.persist(jobId);
      return null;
    });
  }

  async complete(jobId: string, request: CompleteRequest, holder: LeaseHolder): Promise<Outcome<JobRecord>> {
    return await outcomeOfCall(async () => {
      const now = this.#now().toISOString();
      const current = this.#table.record(jobId);
      if (!current) {
        // Ended and forgotten here: only a repeat by the lease that completed it is answered.
        const stored = await this.#jobs.get(jobId);
        if (!stored) throw new NotFoundError(`no job ${jobId}`);
        if (lifecycle.completeJob(stored, request, holder, { now }) !== stored) {
          throw new LeaseLostError(`job ${jobId} is no longer leased`);
        }
        return stored;
      }
      let record = lifecycle.completeJob(current, request, holder, { now });
      const ended = record !== current;
      if (ended) this.#table.write(record);
      // Also on a repeat: it finishes a write-through the first completion could not.
      await this.#table.persist(jobId);
      if (ended) record = await this.#table.afterCompletion(record, now, this.#cachePolicy);
      await this.#scheduleAlarm();
      return record;
    });
  }

  async release(jobId: string, request: ReleaseRequest, holder: LeaseHolder): Promise<Outcome<null>> {
    return await outcomeOfCall(async () => {
      const now = this.#now().toISOString();
      const args = { leaseId: request.lease_id, holder, reason: request.reason, now };
      await this.#transition(jobId, lifecycle.releaseJob(await this.#active(jobId), args));
      return null;
    });
  }

  async revokeLease(jobId: string, leaseId: string, activeTokenIds: string[]): Promise<Outcome<boolean>> {
    return await outcomeOfCall(async () => {
      const current = this.#table.record(jobId);
      if (!current) return false;
      const now = this.#now().toISOString();
      const next = lifecycle.revokeLease(current, { leaseId, activeTokenIds, now });
      if (next === current) return false;
      await this.#transition(jobId, next);
      return true;
    });
  }

  async failQueued(jobId: string, reason: string): Promise<Outcome<JobRecord | null>> {
    return await outcomeOfCall(async () => {
      const current = this.#table.record(jobId);
      if (!current) return null;
      const next = failQueuedJob(current, reason, { now: this.#now().toISOString() });
      if (next !== current) await this.#transition(jobId, next);
      return next;
    });
  }

  async queuePosition(jobId: string): Promise<number | null> {
    const row = this.#table.row(jobId);
    if (row?.status !== "queued") return null;
    return queueSql.queuedAhead(this.#sql, row.seq);
  }

  async queueStanding(jobId: string): Promise<{ ahead: number; enqueuedMs: number } | null> {
    return queueSql.queueStanding(this.#sql, this.#table.row(jobId));
  }

  async queuedBefore(enqueuedMs: number, jobId: string): Promise<number> {
    return queueSql.queuedBefore(this.#sql, enqueuedMs, jobId);
  }

  async seeAgent(agentId: string, nowMs: number): Promise<void> {
    sql.seeAgent(this.#sql, agentId, null, nowMs);
  }

  async learnToolchain(keyboard: string, toolchain: string): Promise<void> {
    sql.learnToolchain(this.#sql, keyboard, toolchain);
  }

  async stats(agentWindowSeconds: number, firmwareVersion: string): Promise<DispatchStats> {
    return sql.dispatchStats(this.#sql, agentsActiveSince(this.#now(), agentWindowSeconds), firmwareVersion);
  }

  async reapExpiredLeases(now: string): Promise<number> {
    const rows = sql.expiredLeaseRows(this.#sql, Date.parse(now));
    return await this.#requeueAll(rows.map((row) => lifecycle.expireLease(sql.recordOf(row), { now })));
  }

  async disconnect(agentId: string, holder: LeaseHolder): Promise<Outcome<number>> {
    return await outcomeOfCall(async () => {
      this.#leases.endPolls(agentId, holder);
      // Gone at once for GET /v1 and jobs/no-agent.ts, not after the agent window.
      sql.forgetAgent(this.#sql, agentId);
      const args = { agentId, holder, now: this.#now().toISOString() };
      return await this.#requeueAll(lifecycle.disconnectAgent(sql.runningRecords(this.#sql), args));
    });
  }

  async failUndeliverable(jobId: string, reason: string): Promise<Outcome<string>> {
    return await outcomeOfCall(() =>
      this.#readingRecord.alone(jobId, "known", async () => {
        if (this.#table.row(jobId)) return "known";
        const record = await this.#jobs.get(jobId);
        if (!record) return "unknown";
        if (lifecycle.isTerminal(record)) return record.status;
        await this.#jobs.put(lifecycle.failJob(record, reason, { now: this.#now().toISOString() }));
        return "failed";
      }),
    );
  }

  override async alarm(): Promise<void> {
    this.#alarm.fired();
    const now = this.#now();
    await this.reapExpiredLeases(now.toISOString());
    await this.#table.persistUnsaved();
    purgeForgotten(this.#sql, now);
    await this.#scheduleAlarm();
  }

  // A transition that may put the job back in the queue: written, handed to waiting agents, persisted.
  async #transition(jobId: string, next: JobRecord): Promise<void> {
    this.#table.write(next);
    this.#leases.wake();
    this.#shard.queued(next, { requeued: true });
    await this.#table.persist(jobId);
    await this.#scheduleAlarm();
  }

  // Jobs back in the queue (or failed) together: written before any other call runs, then persisted.
  async #requeueAll(records: JobRecord[]): Promise<number> {
    const persisted = this.#table.writeAll(records);
    if (records.length > 0) this.#leases.wake();
    for (const record of records) this.#shard.queued(record, { requeued: true });
    await persisted;
    await this.#scheduleAlarm();
    return records.length;
  }

  // The record of a job this object holds, or the reason an agent cannot act on it.
  async #active(jobId: string): Promise<JobRecord> {
    const record = this.#table.record(jobId);
    if (record) return record;
    const stored = await this.#jobs.get(jobId);
    if (!stored) throw new NotFoundError(`no job ${jobId}`);
    throw new LeaseLostError(`job ${jobId} is ${stored.status} and no longer leased`);
  }

  async #scheduleAlarm(): Promise<void> {
    await this.#alarm.schedule(nextAlarmAt(this.#sql, this.#now()));
  }
}
