// Dispatcher on Redis Streams (ioredis), shared by any number of API processes on one Redis. The key layout
// is in redis-keys.ts, the Lua scripts in redis-scripts.ts, the reaper in redis-reaper.ts.
//
// A lease: a Lua script picks the agent's lane whose next undelivered entry is oldest and XREADGROUPs it (the
// entry moves to the group's pending list with the agent as consumer); when all lanes are empty the lease
// long-polls with XREADGROUP BLOCK on a pooled connection of its own (an abort disconnects it). Another
// script then records the lease unless one exists (a duplicate entry loses), and the record goes through
// lifecycle.startLease. Heartbeats extend expires_ms and XCLAIM the entry to reset its idle time. Completion
// and release XACK + XDEL the entry in the same script that drops the lease (release re-adds the job with
// XADD, at the back). As on the Durable Object, a lease holds until the reaper takes it back; LeaseLostError
// means another lease (or none) holds the job.
import {
  type ArtifactKind,
  type ArtifactRef,
  type CompleteRequest,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JobRecord,
  LEASE_MAX_WAIT_MS,
  type LeaseHolder,
  type LeaseRequest,
  type LeaseResponse,
  type ReleaseRequest,
} from "@qmk-edge/schema";
import { Redis } from "ioredis";
import { newId } from "../../job-id.ts";
import { publishBuild } from "../../jobs/build-cache.ts";
import { LeaseLostError, NotFoundError } from "../../jobs/errors.ts";
import * as lifecycle from "../../jobs/lifecycle.ts";
import type { Dispatcher, DispatchStats } from "../../ports/dispatcher.ts";
import type { JobStore } from "../../ports/job-store.ts";
import { BlockingReader } from "./redis-blocking-reader.ts";
import { ConsumerGroups } from "./redis-consumer-groups.ts";
import { guard } from "./redis-guard.ts";
import { GROUP, type RedisKeys, redisKeys } from "./redis-keys.ts";
import { laneOf, lanesFor } from "./redis-lanes.ts";
import { type LeaseRow, orphanLease, readLeaseRow } from "./redis-lease-row.ts";
import { JobLock } from "./redis-lock.ts";
import { type Reaper, reap } from "./redis-reaper.ts";
import { defineScripts, enqueueJob, extendLease, recordLease, settle, takeOldest } from "./redis-scripts.ts";
import { dropEntry, type StreamEntry, toEntry } from "./redis-stream-entry.ts";

// The longest single XREADGROUP BLOCK; a long poll loops, so a dead connection is noticed within this.
const BLOCK_SLICE_MS = 5_000;

export interface RedisDispatcherOptions {
  redisUrl: string;
  jobs: JobStore;
  leaseSeconds: number;
  prefix?: string;
  // Idle blocking connections kept for long polls; more are opened on demand and closed after use.
  poolSize?: number;
  lockTtlMs?: number;
  // Pending entries idle this much longer than a lease, with no lease recorded, are reclaimed.
  orphanGraceMs?: number;
  clock?: () => number;
}

export class RedisDispatcher implements Dispatcher {
  readonly redis: Redis;
  private readonly jobs: JobStore;
  private readonly leaseMs: number;
  // Read by tests that write stream entries themselves.
  private readonly prefix: string;
  private readonly keys: RedisKeys;
  private readonly lock: JobLock;
  private readonly groups: ConsumerGroups;
  private readonly reader: BlockingReader;
  private readonly reaper: Reaper;
  private readonly clock: () => number;
  private closed = false;

  constructor(options: RedisDispatcherOptions) {
    this.redis = new Redis(options.redisUrl, {
      // Fail fast while Redis is down: the route answers 503 and the agent (or client) retries.
      maxRetriesPerRequest: 3,
      retryStrategy: (times) => Math.min(times * 50, 1000),
    });
    // Without a listener ioredis logs every reconnect failure itself; commands still report errors.
    this.redis.on("error", () => {});
    defineScripts(this.redis);
    this.jobs = options.jobs;
    this.leaseMs = options.leaseSeconds * 1000;
    this.prefix = options.prefix ?? "qmk-edge:";
    this.keys = redisKeys(this.prefix);
    this.lock = new JobLock(this.redis, this.keys, options.lockTtlMs ?? 15_000, () => this.closed);
    this.groups = new ConsumerGroups(this.redis, this.keys);
    this.reader = new BlockingReader(this.redis, this.groups, options.poolSize ?? 8);
    this.reaper = {
      redis: this.redis,
      keys: this.keys,
      jobs: this.jobs,
      lock: this.lock,
      orphanIdleMs: this.leaseMs + (options.orphanGraceMs ?? 5_000),
    };
    this.clock = options.clock ?? Date.now;
  }

  async enqueue(record: JobRecord): Promise<void> {
    await guard(async () => {
      if (record.status !== "queued") return;
      const stream = await laneOf(this.redis, this.keys, record);
      await enqueueJob(this.redis, this.keys, stream, record.id, Date.parse(record.enqueued_at));
    });
  }

  async lease(
    request: LeaseRequest,
    holder: LeaseHolder,
    signal?: AbortSignal,
  ): Promise<LeaseResponse | null> {
    return await guard(async () => {
      const streams = lanesFor(this.keys, request);
      const waitMs = Math.min(request.wait_ms ?? 0, LEASE_MAX_WAIT_MS);
      const deadline = this.clock() + waitMs;
      await this.touchAgent(request.agent_id, request.firmware_version);
      await this.groups.ensure(streams);
      for (;;) {
        const ready = await this.take(streams, request.agent_id);
        if (ready) {
          const leased = await this.start(ready, request, holder);
          if (leased) return leased;
          continue; // a stale entry was dropped; look again at once
        }
        const remaining = deadline - this.clock();
        if (remaining <= 0 || signal?.aborted || this.closed) return null;
        await this.groups.ensure(streams);
        const waited = await this.reader.read(
          streams,
          request.agent_id,
          Math.min(remaining, BLOCK_SLICE_MS),
          signal,
        );
        // One read may deliver an entry from each lane; this lease takes the first, the others go back.
        const [first, ...extras] = waited;
        for (const extra of extras) await this.putBack(extra);
        if (first) {
          const leased = await this.start(first, request, holder);
          if (leased) return leased;
        }
      }
    });
  }

  async heartbeat(jobId: string, request: HeartbeatRequest, holder: LeaseHolder): Promise<HeartbeatResponse> {
    return await guard(() =>
      this.lock.run(jobId, async () => {
        const record = await this.load(jobId);
        const lease = await this.heldLease(jobId, request.lease_id);
        const now = this.clock();
        const expiresMs = now + this.leaseMs;
        const expiresAt = new Date(expiresMs).toISOString();
        const next = lifecycle.recordHeartbeat(record, {
          leaseId: request.lease_id,
          holder,
          stage: request.stage,
          expiresAt,
          now: new Date(now).toISOString(),
        });
        await this.jobs.put(next);
        if (!(await extendLease(this.redis, this.keys, jobId, request.lease_id, expiresMs))) {
          throw new LeaseLostError(`lease ${request.lease_id} does not hold job ${jobId}`);
        }
        // Keeps the pending entry's idle time low so the orphan scan passes it by.
        await this.redis.xclaim(lease.stream, GROUP, lease.agentId, 0, lease.entry, "JUSTID");
        await this.touchAgent(lease.agentId, record.firmware_version);
        return { lease_expires_at: expiresAt };
      }),
    );
  }

  async checkLease(jobId: string, leaseId: string, holder: LeaseHolder): Promise<void> {
    await guard(async () => {
      const lease = await readLeaseRow(this.redis, this.keys, jobId);
      const record = await this.load(jobId);
      if (lease?.leaseId !== leaseId) throw new LeaseLostError(`lease ${leaseId} does not hold job ${jobId}`);
      lifecycle.assertLease(record, leaseId, holder);
    });
  }

  async attachArtifact(
    jobId: string,
    leaseId: string,
    holder: LeaseHolder,
    kind: ArtifactKind,
    ref: ArtifactRef,
  ): Promise<void> {
    await guard(() =>
      this.lock.run(jobId, async () => {
        const record = await this.load(jobId);
        await this.heldLease(jobId, leaseId);
        await this.jobs.put(lifecycle.attachArtifact(record, { leaseId, holder, kind, ref }));
      }),
    );
  }

  async complete(jobId: string, request: CompleteRequest, holder: LeaseHolder): Promise<JobRecord> {
    return await guard(() =>
      this.lock.run(jobId, async () => {
        const now = new Date(this.clock()).toISOString();
        const record = await this.load(jobId);
        const lease = await readLeaseRow(this.redis, this.keys, jobId);
        if (lifecycle.isTerminal(record) && record.lease?.id === request.lease_id) {
          // A repeated completion: the record is final; finish the Redis side if the first try could not.
          if (lifecycle.completeJob(record, request, holder, { now }) !== record) {
            throw new LeaseLostError(
              `lease ${request.lease_id} does not hold job ${jobId} for this agent token`,
            );
          }
          if (lease?.leaseId === request.lease_id) await settle(this.redis, this.keys, jobId, lease, null);
          return record;
        }
        if (lease?.leaseId !== request.lease_id) {
          throw new LeaseLostError(`lease ${request.lease_id} does not hold job ${jobId}`);
        }
        let done = lifecycle.completeJob(record, request, holder, { now });
        await this.jobs.put(done);
        if (done.status === "finished") done = await this.publish(done, now);
        await settle(this.redis, this.keys, jobId, lease, null);
        return done;
      }),
    );
  }

  async release(jobId: string, request: ReleaseRequest, holder: LeaseHolder): Promise<void> {
    await guard(() =>
      this.lock.run(jobId, async () => {
        const record = await this.load(jobId);
        const lease = await this.heldLease(jobId, request.lease_id);
        const next = lifecycle.releaseJob(record, {
          leaseId: request.lease_id,
          holder,
          reason: request.reason,
          now: new Date(this.clock()).toISOString(),
        });
        await this.jobs.put(next);
        await settle(this.redis, this.keys, jobId, lease, next);
      }),
    );
  }

  async revokeLease(jobId: string, leaseId: string, activeTokenIds: string[]): Promise<boolean> {
    return await guard(() =>
      this.lock.run(jobId, async () => {
        const record = await this.jobs.get(jobId);
        const lease = await readLeaseRow(this.redis, this.keys, jobId);
        if (!record || lease?.leaseId !== leaseId) return false;
        const now = new Date(this.clock()).toISOString();
        const next = lifecycle.revokeLease(record, { leaseId, activeTokenIds, now });
        if (next === record) return false;
        await this.jobs.put(next);
        await settle(this.redis, this.keys, jobId, lease, next);
        return true;
      }),
    );
  }

  async queuePosition(jobId: string): Promise<number | null> {
    return await guard(() => this.redis.zrank(this.keys.waiting, jobId));
  }

  async stats(agentWindowSeconds: number, firmwareVersion: string): Promise<DispatchStats> {
    return await guard(async () => {
      const now = this.clock();
      const since = now - agentWindowSeconds * 1000;
      const [queued, oldest, running, seen, current, last] = await Promise.all([
        this.redis.zcard(this.keys.waitingSince),
        this.redis.zrange(this.keys.waitingSince, 0, 0, "WITHSCORES"),
        this.redis.zcard(this.keys.leases),
        this.redis.zcount(this.keys.agents, since, "+inf"),
        this.redis.zcount(this.keys.agentsFor(firmwareVersion), since, "+inf"),
        this.redis.zrevrange(this.keys.agents, 0, 0, "WITHSCORES"),
      ]);
      return {
        queued,
        running,
        oldestQueuedAt: oldest[1] ? new Date(Number(oldest[1])).toISOString() : null,
        agentsSeen: seen,
        agentsForVersion: current,
        lastAgentSeenAt: last[1] ? new Date(Number(last[1])).toISOString() : null,
      };
    });
  }

  async reapExpiredLeases(now: string): Promise<number> {
    return await guard(() => reap(this.reaper, Date.parse(now)));
  }

  // Runs the reaper every intervalMs until the returned function is called (node.ts starts one per process;
  // several reapers on one Redis are safe, each job is handled under its lock).
  startReaper(intervalMs: number, onError: (err: unknown) => void = () => {}): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.reapExpiredLeases(new Date(this.clock()).toISOString())
        .catch(onError)
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  // Shutting down: waiting leases answer "no job" now and new ones do not wait; other calls still work.
  interruptWaits(): void {
    this.closed = true;
    this.reader.close();
  }

  async close(): Promise<void> {
    this.interruptWaits();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  // --- leasing

  private async take(streams: string[], consumer: string): Promise<StreamEntry | null> {
    const reply = await takeOldest(this.redis, streams, consumer);
    return reply ? toEntry(reply[0], reply[1], reply[2]) : null;
  }

  private async start(
    entry: StreamEntry,
    request: LeaseRequest,
    holder: LeaseHolder,
  ): Promise<LeaseResponse | null> {
    return await this.lock.run(entry.jobId, async () => {
      const record = await this.jobs.get(entry.jobId);
      if (record?.status !== "queued") {
        // A duplicate or stale entry: the job is leased, done, or gone. Drop the entry, keep any lease.
        await dropEntry(this.redis, entry);
        return null;
      }
      const nowMs = this.clock();
      const row: LeaseRow = {
        leaseId: newId(),
        agentId: request.agent_id,
        expiresMs: nowMs + this.leaseMs,
        entry: entry.id,
        stream: entry.stream,
      };
      if (!(await recordLease(this.redis, this.keys, entry.jobId, row))) {
        await dropEntry(this.redis, entry);
        return null;
      }
      const lease = {
        id: row.leaseId,
        agent_id: request.agent_id,
        expires_at: new Date(row.expiresMs).toISOString(),
        token_id: holder.token_id,
        trust: holder.trust,
      };
      const running = lifecycle.startLease(record, lease, { now: new Date(nowMs).toISOString() });
      try {
        await this.jobs.put(running);
      } catch (err) {
        // The record could not be saved: hand the job straight back rather than leave it leased to no one.
        await settle(this.redis, this.keys, entry.jobId, row, record).catch(() => {});
        throw err;
      }
      return {
        job: {
          id: running.id,
          request: running.request,
          content_key: running.content_key,
          firmware_version: running.firmware_version,
          attempts: running.attempts,
        },
        lease_id: row.leaseId,
        lease_expires_at: lease.expires_at,
      };
    });
  }

  // An entry delivered along with the one this lease took: to the back of its queue for another agent.
  private async putBack(entry: StreamEntry): Promise<void> {
    await this.lock.run(entry.jobId, async () => {
      const record = await this.jobs.get(entry.jobId);
      if (record?.status !== "queued" || (await readLeaseRow(this.redis, this.keys, entry.jobId))) {
        await dropEntry(this.redis, entry);
        return;
      }
      await settle(this.redis, this.keys, entry.jobId, orphanLease(entry), record);
    });
  }

  // --- shared steps

  private async heldLease(jobId: string, leaseId: string): Promise<LeaseRow> {
    const lease = await readLeaseRow(this.redis, this.keys, jobId);
    if (lease?.leaseId !== leaseId) throw new LeaseLostError(`lease ${leaseId} does not hold job ${jobId}`);
    return lease;
  }

  private async load(jobId: string): Promise<JobRecord> {
    const record = await this.jobs.get(jobId);
    if (!record) throw new NotFoundError(`no job ${jobId}`);
    return record;
  }

  // Offers a finished build to the build cache; see DispatcherObject#publish for the rules.
  private async publish(record: JobRecord, now: string): Promise<JobRecord> {
    let final = record;
    try {
      if ((await publishBuild(this.jobs, record, now)) && !record.verified) {
        final = lifecycle.markVerified(record);
        await this.jobs.put(final);
      }
    } catch (err) {
      console.error(`dispatcher: build cache update for job ${record.id} failed`, err);
    }
    if (final.verified && final.toolchain) {
      await this.redis.hset(this.keys.keyboardToolchains, final.request.keyboard, final.toolchain);
    }
    return final;
  }

  // Agents seen, overall and per firmware version they build (GET /v1 is degraded without the latter).
  private async touchAgent(agentId: string, firmwareVersion: string): Promise<void> {
    const now = this.clock();
    const old = now - 24 * 3600 * 1000;
    const byVersion = this.keys.agentsFor(firmwareVersion);
    await this.redis
      .multi()
      .zadd(this.keys.agents, now, agentId)
      .zremrangebyscore(this.keys.agents, "-inf", old)
      .zadd(byVersion, now, agentId)
      .zremrangebyscore(byVersion, "-inf", old)
      .pexpire(byVersion, 24 * 3600 * 1000)
      .exec();
  }
}
