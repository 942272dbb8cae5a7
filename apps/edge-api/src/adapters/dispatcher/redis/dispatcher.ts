// Dispatcher on Redis Streams (ioredis), shared by any number of API processes on one Redis: keys.ts holds the
// key layout, scripts.ts, lock-scripts.ts and lease-scripts.ts the Lua scripts, leasing.ts the lease path,
// held-lease.ts an agent's calls on its lease, reaper.ts the reaper, agents.ts the agents seen, agent-polls.ts
// and disconnect.ts an agent's goodbye; the rules are in jobs/. Heartbeats extend
// expires_ms and XCLAIM the entry to reset its idle time. Completion and release XACK + XDEL the entry in the
// same script that drops the lease (release re-adds the job with XADD, at the back). As on the Durable Object,
// a lease holds until the reaper takes it back; LeaseLostError means another lease (or none) holds the job.
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
import type { Redis } from "ioredis";
import type { CommunityCachePolicy } from "../../../jobs/build-cache.ts";
import { type Clock, systemClock } from "../../../jobs/clock.ts";
import type { LeasePolicy } from "../../../jobs/lease.ts";
import * as lifecycle from "../../../jobs/lifecycle.ts";
import { failQueuedJob } from "../../../jobs/no-agent.ts";
import type { Dispatcher, DispatchStats } from "../../../ports/dispatcher.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import { AgentPolls } from "./agent-polls.ts";
import { dispatchStats, forgetAgent } from "./agents.ts";
import { connectRedis } from "./connection.ts";
import { ConsumerGroups } from "./consumer-groups.ts";
import { releaseLeasesOf } from "./disconnect.ts";
import { TurnEnqueues } from "./enqueue-batch.ts";
import { EntryWatch } from "./entry-watch.ts";
import { guard } from "./guard.ts";
import { completeLease, type HeldLeases, heartbeatLease, loadRecord, releaseLease } from "./held-lease.ts";
import { type RedisKeys, redisKeys } from "./keys.ts";
import { LEASE_RECORD_DELAY_MS, leasedRecord } from "./lease-grant.ts";
import { saveDueLeaseRecords } from "./lease-records.ts";
import { heldLeaseRow, readLeaseRow } from "./lease-row.ts";
import { type Leasing, leaseJob } from "./leasing.ts";
import { JobLock } from "./lock.ts";
import { QueuePositions } from "./queue-positions.ts";
import { everyInterval, type Reaper, reap } from "./reaper.ts";
import { defineScripts, settle } from "./scripts.ts";

export interface RedisDispatcherOptions {
  redisUrl: string;
  jobs: JobStore;
  lease: LeasePolicy;
  prefix?: string;
  lockTtlMs?: number;
  now?: Clock;
  // COMMUNITY_CACHE_POLICY (jobs/build-cache.ts); the safe default when not given.
  communityCachePolicy?: CommunityCachePolicy;
  // CLIENT SETNAME of this process's connections (the command connection and the shared watch).
  connectionName?: string;
}

export class RedisDispatcher implements Dispatcher {
  readonly redis: Redis;
  private readonly jobs: JobStore;
  // Read by the Node wiring, which runs the reaper at its interval.
  readonly leasePolicy: LeasePolicy;
  // Read by tests that write stream entries themselves.
  private readonly prefix: string;
  private readonly keys: RedisKeys;
  private readonly lock: JobLock;
  private readonly leasing: Leasing;
  private readonly reaper: Reaper;
  private readonly held: HeldLeases;
  private readonly polls = new AgentPolls();
  // Status reads' queue positions, one round trip per event-loop turn (queue-positions.ts).
  private readonly positions: QueuePositions;
  // New jobs' enqueues, one round trip per event-loop turn (enqueue-batch.ts).
  private readonly enqueues: TurnEnqueues;
  private readonly now: Clock;
  private readonly cachePolicy: CommunityCachePolicy;
  private closed = false;
  // Runs before stats() answers: the reconciler (jobs/reconcile.ts) rebuilds a queue Redis lost first.
  beforeStats: (() => Promise<void>) | null = null;

  constructor(options: RedisDispatcherOptions) {
    this.redis = connectRedis(options.redisUrl, options.connectionName);
    defineScripts(this.redis);
    this.jobs = options.jobs;
    this.leasePolicy = options.lease;
    this.now = options.now ?? systemClock;
    this.cachePolicy = options.communityCachePolicy ?? "trusted-reproduction";
    this.prefix = options.prefix ?? "qmk-edge:";
    this.keys = redisKeys(this.prefix);
    this.positions = new QueuePositions(this.redis, this.keys.waiting);
    this.enqueues = new TurnEnqueues(this.redis, this.keys);
    this.lock = new JobLock(this.redis, this.keys, options.lockTtlMs ?? 15_000, () => this.closed);
    const base = { redis: this.redis, keys: this.keys, jobs: this.jobs, lock: this.lock };
    const groups = new ConsumerGroups(this.redis, this.keys);
    const watch = new EntryWatch(this.redis);
    const closed = () => this.closed;
    this.leasing = { ...base, groups, watch, lease: this.leasePolicy, now: this.now, closed };
    this.reaper = { ...base, orphanIdleMs: this.leasePolicy.orphanIdleMs };
    this.held = { ...base, lease: this.leasePolicy, now: this.now, cachePolicy: this.cachePolicy };
  }

  async enqueue(record: JobRecord): Promise<void> {
    await guard(async () => {
      if (record.status !== "queued") return;
      await this.enqueues.enqueue(record);
    });
  }

  async lease(
    request: LeaseRequest,
    holder: LeaseHolder,
    signal?: AbortSignal,
  ): Promise<LeaseResponse | null> {
    return await this.polls.run(holder, request.agent_id, signal, {
      lease: (poll) => guard(() => leaseJob(this.leasing, request, holder, poll)),
      giveBack: (l, reason) => this.release(l.job.id, { lease_id: l.lease_id, reason }, holder),
    });
  }

  async disconnect(agentId: string, holder: LeaseHolder): Promise<number> {
    this.polls.end(holder, agentId);
    // Gone at once for GET /v1 and jobs/no-agent.ts, not after the agent window.
    await guard(() => forgetAgent(this.redis, this.keys, agentId));
    return await guard(() => releaseLeasesOf(this.reaper, agentId, holder, this.now().toISOString()));
  }

  async heartbeat(jobId: string, request: HeartbeatRequest, holder: LeaseHolder): Promise<HeartbeatResponse> {
    return await guard(() => heartbeatLease(this.held, jobId, request, holder));
  }

  async checkLease(jobId: string, leaseId: string, holder: LeaseHolder): Promise<void> {
    await guard(async () => {
      const stored = await this.load(jobId);
      const lease = await heldLeaseRow(this.redis, this.keys, jobId, leaseId);
      lifecycle.assertLease(leasedRecord(stored, lease), leaseId, holder);
    });
  }

  async attachArtifact(
    jobId: string,
    leaseId: string,
    holder: LeaseHolder,
    kind: ArtifactKind,
    ref: ArtifactRef,
  ): Promise<void> {
    await this.locked(jobId, async () => {
      const stored = await this.load(jobId);
      const record = leasedRecord(stored, await heldLeaseRow(this.redis, this.keys, jobId, leaseId));
      await this.jobs.put(lifecycle.attachArtifact(record, { leaseId, holder, kind, ref }));
    });
  }

  async complete(jobId: string, request: CompleteRequest, holder: LeaseHolder): Promise<JobRecord> {
    return await guard(() => completeLease(this.held, jobId, request, holder));
  }

  async release(jobId: string, request: ReleaseRequest, holder: LeaseHolder): Promise<void> {
    await guard(() => releaseLease(this.held, jobId, request, holder));
  }

  async revokeLease(jobId: string, leaseId: string, activeTokenIds: string[]): Promise<boolean> {
    return await this.locked(jobId, async () => {
      const lease = await readLeaseRow(this.redis, this.keys, jobId);
      const record = leasedRecord(await this.jobs.get(jobId), lease);
      if (!record || lease?.leaseId !== leaseId) return false;
      const now = this.now().toISOString();
      const next = lifecycle.revokeLease(record, { leaseId, activeTokenIds, now });
      if (next === record) return false;
      await this.jobs.put(next);
      await settle(this.redis, this.keys, jobId, lease, next);
      return true;
    });
  }

  async failQueued(jobId: string, reason: string): Promise<JobRecord | null> {
    return await this.locked(jobId, async () => {
      const stored = await this.jobs.get(jobId);
      if (!stored) return null;
      // A lease whose record is not in the store yet holds the job: it is running, not queued.
      const lease = stored.status === "queued" ? await readLeaseRow(this.redis, this.keys, jobId) : null;
      const record = leasedRecord(stored, lease);
      const next = failQueuedJob(record, reason, { now: this.now().toISOString() });
      if (next === record) return record;
      await this.jobs.put(next);
      // Its stream entry stays until an agent reads it; leasing drops entries of jobs no longer queued.
      await this.redis.multi().zrem(this.keys.waiting, jobId).zrem(this.keys.waitingSince, jobId).exec();
      return next;
    });
  }

  async queuePosition(jobId: string): Promise<number | null> {
    return await guard(() => this.positions.of(jobId));
  }

  // A job no longer waiting may be leased with its running record not in the store yet (lease-grant.ts): the
  // lease row's record is the one to show, as it will be once the store holds it.
  async queueView(record: JobRecord): Promise<{ record: JobRecord; queuePosition: number | null }> {
    const queuePosition = await this.queuePosition(record.id);
    if (queuePosition !== null) return { record, queuePosition };
    const lease = await guard(() => readLeaseRow(this.redis, this.keys, record.id));
    const leased = leasedRecord(record, lease);
    return { record: leased, queuePosition: null };
  }

  async stats(agentWindowSeconds: number, firmwareVersion: string): Promise<DispatchStats> {
    await guard(async () => await this.beforeStats?.());
    return await guard(() =>
      dispatchStats(this.redis, this.keys, { now: this.now(), agentWindowSeconds, firmwareVersion }),
    );
  }

  async reapExpiredLeases(now: string): Promise<number> {
    return await guard(() => reap(this.reaper, Date.parse(now)));
  }

  // Writes to the store the running record of every lease granted LEASE_RECORD_DELAY_MS before `now` whose job
  // was not written since (lease-records.ts); tests call it with a future `now`. Returns how many it wrote.
  async saveLeaseRecords(now: string): Promise<number> {
    return await guard(() => saveDueLeaseRecords(this.reaper, Date.parse(now)));
  }

  // Runs the reaper every intervalMs, and the lease records' writer every LEASE_RECORD_DELAY_MS / 2, until the
  // returned function is called (node/main.ts starts them in each process; several on one Redis are safe, each
  // job is handled under its lock).
  startReaper(intervalMs: number, onError: (err: unknown) => void = () => {}): () => void {
    const stopReaper = everyInterval(
      intervalMs,
      () => this.reapExpiredLeases(this.now().toISOString()),
      onError,
    );
    const stopWriter = everyInterval(
      LEASE_RECORD_DELAY_MS / 2,
      () => this.saveLeaseRecords(this.now().toISOString()),
      onError,
    );
    return () => {
      stopReaper();
      stopWriter();
    };
  }

  // Shutting down: waiting leases answer "no job" now and new ones do not wait; other calls still work.
  interruptWaits(): void {
    this.closed = true;
    this.leasing.watch.close();
  }

  async close(): Promise<void> {
    this.interruptWaits();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  // --- shared steps

  // A transition: under the job's lock, with Redis failures as UnavailableError.
  private async locked<T>(jobId: string, fn: () => Promise<T>): Promise<T> {
    return await guard(() => this.lock.run(jobId, fn));
  }

  private async load(jobId: string): Promise<JobRecord> {
    return await loadRecord(this.jobs, jobId);
  }
}
