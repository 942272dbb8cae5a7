import { DurableObject } from "cloudflare:workers";
import type { LeaseHolder, LeaseRequest, LeaseResponse } from "@qmk-edge/schema";
import { agentsActiveSince } from "../../../jobs/agent-memory.ts";
import { type Clock, systemClock } from "../../../jobs/clock.ts";
import { leasePolicy } from "../../../jobs/lease.ts";
import * as lifecycle from "../../../jobs/lifecycle.ts";
import type { DispatchStats } from "../../../ports/dispatcher.ts";
import { R2BlobStore } from "../../blob-store/r2.ts";
import { BlobJobStore } from "../../job-store/blob.ts";
import { AgentSightings } from "./agent-sightings.ts";
import { AlarmSchedule, nextAlarmAt, purgeForgotten } from "./alarm.ts";
import { Intake } from "./intake.ts";
import {
  communityCachePolicyOf,
  type DispatcherBindings,
  type DispatcherRpc,
  dispatcherShardsOf,
  leaseSecondsOf,
  type Moved,
} from "./interface.ts";
import { JobCalls } from "./job-calls.ts";
import { JobTable } from "./job-table.ts";
import { Leases, type QueuedJob } from "./leases.ts";
import { type ObjectParts, requeueAll } from "./object-parts.ts";
import { type Outcome, outcomeOfCall, outcomeOrFailure } from "./outcome.ts";
import * as queueSql from "./queue-sql.ts";
import { ShardRole } from "./shard-role.ts";
import * as sql from "./sql.ts";

const RECONCILED_KEY = "reconciled";

// A Dispatcher Durable Object: one shard of the dispatcher (shards.ts; with one shard, the only one). Its
// SQLite tables hold every job of the shard that is queued or running (and, for an hour, the ones that ended:
// alarm.ts). It stores and fetches; the rules are in jobs/ (lifecycle, lease, after-completion,
// agent-memory), applied with the object's clock. Its calls are grouped by what they are about: jobs coming
// in (intake.ts), leases (leases.ts), calls on a leased job (job-calls.ts), and the shard as a whole (here).

export class DispatcherObject extends DurableObject<DispatcherBindings> implements DispatcherRpc {
  readonly #parts: ObjectParts;
  readonly #intake: Intake;
  readonly #calls: JobCalls;
  readonly #alarm: AlarmSchedule;
  readonly #sightings: AgentSightings;

  constructor(ctx: DurableObjectState, env: DispatcherBindings) {
    super(ctx, env);
    const store = ctx.storage.sql;
    const jobs = new BlobJobStore(new R2BlobStore(env.BUCKET));
    const shard = new ShardRole(store, env, dispatcherShardsOf(env));
    const table = new JobTable(store, jobs, (keyboard, toolchain, jobId) =>
      shard.teach(keyboard, toolchain, jobId),
    );
    const lease = leasePolicy(leaseSecondsOf(env));
    // A Durable Object is built by the runtime, so its clock cannot be passed in; tests move time through
    // reapExpiredLeases(now) instead.
    const now: Clock = systemClock;
    // `dueMs`: the earliest time the caller's change made due, when it knows it (alarm.ts covers).
    const scheduleAlarm = async (dueMs?: number) => {
      if (dueMs !== undefined && this.#alarm.covers(dueMs)) return;
      await this.#alarm.schedule(nextAlarmAt(store, now(), table.hasUnsaved()));
    };
    const leases = new Leases({ sql: store, table, lease, now, scheduleAlarm });
    const cachePolicy = communityCachePolicyOf(env);
    this.#parts = { sql: store, table, jobs, leases, shard, lease, cachePolicy, now, scheduleAlarm };
    this.#alarm = new AlarmSchedule(ctx.storage);
    this.#intake = new Intake(this.#parts);
    this.#calls = new JobCalls(this.#parts);
    this.#sightings = new AgentSightings(store);
    sql.createSchema(store);
  }

  enqueue(...args: Parameters<Intake["enqueue"]>) {
    return this.#intake.enqueue(...args);
  }

  enqueueAllById(...args: Parameters<Intake["enqueueAllById"]>) {
    return this.#intake.enqueueAllById(...args);
  }

  repair(...args: Parameters<Intake["repair"]>) {
    return this.#intake.repair(...args);
  }

  failUndeliverable(...args: Parameters<Intake["failUndeliverable"]>) {
    return this.#intake.failUndeliverable(...args);
  }

  // A mark in this object's storage, set after each reconcile: gone when the storage was lost.
  async hasReconciled(): Promise<boolean> {
    return (await this.ctx.storage.get(RECONCILED_KEY)) !== undefined;
  }

  async markReconciled(): Promise<void> {
    await this.ctx.storage.put(RECONCILED_KEY, this.#parts.now().toISOString());
  }

  async lease(
    request: LeaseRequest,
    holder: LeaseHolder,
    startedMs?: number,
  ): Promise<Outcome<LeaseResponse | null>> {
    return await outcomeOrFailure(() => {
      this.#sightings.see(request, this.#parts.now().getTime());
      return this.#parts.leases.lease({ request, holder }, startedMs);
    });
  }

  // A lease across shards (sharded-calls.ts): `home` is the agent's own shard, where it is noted as seen.
  async offer(request: LeaseRequest, holder: LeaseHolder, home: boolean, claimAtBacklog: number) {
    return await outcomeOrFailure(() => {
      if (home) this.#sightings.see(request, this.#parts.now().getTime());
      return this.#parts.leases.offer({ request, holder }, claimAtBacklog);
    });
  }

  async claim(request: LeaseRequest, holder: LeaseHolder, jobId: string, olderThan: QueuedJob | null) {
    return await outcomeOrFailure(() => this.#parts.leases.claim({ request, holder }, jobId, olderThan));
  }

  heartbeat(...args: Parameters<JobCalls["heartbeat"]>) {
    return this.#calls.heartbeat(...args);
  }

  checkLease(...args: Parameters<JobCalls["checkLease"]>) {
    return this.#calls.checkLease(...args);
  }

  attachArtifact(...args: Parameters<JobCalls["attachArtifact"]>) {
    return this.#calls.attachArtifact(...args);
  }

  complete(...args: Parameters<JobCalls["complete"]>) {
    return this.#calls.complete(...args);
  }

  release(...args: Parameters<JobCalls["release"]>) {
    return this.#calls.release(...args);
  }

  revokeLease(...args: Parameters<JobCalls["revokeLease"]>) {
    return this.#calls.revokeLease(...args);
  }

  failQueued(...args: Parameters<JobCalls["failQueued"]>) {
    return this.#calls.failQueued(...args);
  }

  // Asked for a job R2 holds as queued; the row is never older than R2, so a row past queued is what to show.
  async queuePosition(jobId: string): Promise<number | Moved | null> {
    const row = this.#parts.table.row(jobId);
    if (!row) return null;
    if (row.status !== "queued") return { moved: sql.recordOf(row) };
    return queueSql.queuedAhead(this.#parts.sql, row.seq);
  }

  async queueStanding(jobId: string): Promise<{ ahead: number; enqueuedMs: number } | Moved | null> {
    const row = this.#parts.table.row(jobId);
    if (row && row.status !== "queued") return { moved: sql.recordOf(row) };
    return queueSql.queueStanding(this.#parts.sql, row);
  }

  async queuedBefore(enqueuedMs: number, jobId: string): Promise<number> {
    return queueSql.queuedBefore(this.#parts.sql, enqueuedMs, jobId);
  }

  async seeAgent(agentId: string, nowMs: number): Promise<void> {
    sql.seeAgent(this.#parts.sql, agentId, null, nowMs);
  }

  async learnToolchain(keyboard: string, toolchain: string): Promise<void> {
    sql.learnToolchain(this.#parts.sql, keyboard, toolchain);
  }

  async stats(agentWindowSeconds: number, firmwareVersion: string): Promise<DispatchStats> {
    const now = this.#parts.now();
    this.#sightings.store(now.getTime());
    return sql.dispatchStats(this.#parts.sql, agentsActiveSince(now, agentWindowSeconds), firmwareVersion);
  }

  async reapExpiredLeases(now: string): Promise<number> {
    const rows = sql.expiredLeaseRows(this.#parts.sql, Date.parse(now));
    return await requeueAll(
      this.#parts,
      rows.map((row) => lifecycle.expireLease(sql.recordOf(row), { now })),
    );
  }

  async disconnect(agentId: string, holder: LeaseHolder): Promise<Outcome<number>> {
    return await outcomeOfCall(async () => {
      this.#parts.leases.endPolls(agentId, holder);
      // Gone at once for GET /v1 and jobs/no-agent.ts, not after the agent window.
      sql.forgetAgent(this.#parts.sql, agentId);
      this.#sightings.forget(agentId);
      const args = { agentId, holder, now: this.#parts.now().toISOString() };
      const released = lifecycle.disconnectAgent(sql.runningRecords(this.#parts.sql), args);
      // Nothing handed back (every shard but the ones holding its leases): nothing new is due.
      if (released.length === 0) return 0;
      return await requeueAll(this.#parts, released);
    });
  }

  override async alarm(): Promise<void> {
    this.#alarm.fired();
    const now = this.#parts.now();
    // Unsaved rows first (a lease's record waits for its write: job-table.ts persistLater), so the alarm the
    // reaping sets is not the retry's.
    await this.#parts.table.persistUnsaved();
    await this.reapExpiredLeases(now.toISOString());
    this.#sightings.store(now.getTime());
    purgeForgotten(this.#parts.sql, now);
    await this.#parts.scheduleAlarm();
  }
}
