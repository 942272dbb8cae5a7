// Dispatcher on Redis Streams (ioredis), shared by any number of API processes on one Redis.
//
// Keys (prefix default "qmk-edge:"; a hash tag such as "{qmk-edge}:" keeps them in one Redis Cluster slot):
//   stream:<version>:<lane>  the queue: one stream per firmware version and toolchain lane (`any`, `avr`,
//                            `arm`), consumer group "agents", entries { job: <id> }. A job goes to the lane of
//                            its toolchain when known (from the record, or learned from an earlier build of the
//                            keyboard), else `any`. An agent reads `any` plus its own toolchains' lanes of its
//                            version, oldest entry first, so no entry is ever handed back for a mismatch.
//   streams                  set of every stream key (the reaper walks them)
//   waiting                  zset job id -> stream order: queue positions
//   waiting-since            zset job id -> enqueued_at (ms): queue length and the oldest queued job
//   lease:<job id>           hash lease_id, agent_id, expires_ms, entry, stream: the lease of a running job
//   leases                   zset job id -> lease expiry (ms): what the reaper looks at
//   agents                   zset agent id -> last seen (ms)
//   keyboard-toolchains      hash keyboard -> toolchain, learned from finished builds
//   lock:<job id>            per-job mutex (token, 15 s expiry) held while a transition reads, changes and saves
//                            the job record, so two processes never interleave read-modify-writes of a record
//
// A lease: a Lua script picks the agent's lane whose next undelivered entry is oldest and XREADGROUPs it (the
// entry moves to the group's pending list with the agent as consumer); when all lanes are empty the lease
// long-polls with XREADGROUP BLOCK on a pooled connection of its own (an abort disconnects it). Another
// script then records the lease unless one exists (a duplicate entry loses), and the record goes through
// lifecycle.startLease. Heartbeats extend expires_ms and XCLAIM the entry to reset its idle time. Completion
// and release XACK + XDEL the entry in the same script that drops the lease (release re-adds the job with
// XADD, at the back). The reaper applies lifecycle.expireLease to leases past expiry (re-queue with
// attempts + 1, or failed) and XAUTOCLAIMs entries pending longer than a lease with no lease recorded (a
// process died between delivery and bookkeeping). Every Redis-side transition is one Lua script, so a job is
// always exactly one of: waiting in a stream, leased, or done. As on the Durable Object, a lease holds until
// the reaper takes it back; LeaseLostError means another lease (or none) holds the job.
import {
  type ArtifactKind,
  type ArtifactRef,
  type CompleteRequest,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JobRecord,
  LEASE_MAX_WAIT_MS,
  type LeaseRequest,
  type LeaseResponse,
  type ReleaseRequest,
  type Toolchain,
} from "@qmk-edge/schema";
import { Redis } from "ioredis";
import { newId } from "../../job-id.ts";
import { LeaseLostError, NotFoundError, StateConflictError, UnavailableError } from "../../jobs/errors.ts";
import * as lifecycle from "../../jobs/lifecycle.ts";
import type { Dispatcher, DispatchStats } from "../../ports/dispatcher.ts";
import type { JobStore } from "../../ports/job-store.ts";

const GROUP = "agents";
const REAPER_CONSUMER = "reaper";
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

interface StreamEntry {
  stream: string;
  id: string;
  jobId: string;
}

interface LeaseRow {
  leaseId: string;
  agentId: string;
  expiresMs: number;
  entry: string;
  stream: string;
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

// Adds a job to a stream and the waiting sets unless it is already waiting or leased.
const ENQUEUE_LUA = `
local function order(id)
  local ms, seq = string.match(id, '(%d+)-(%d+)')
  return tonumber(ms) * 1000 + math.min(tonumber(seq), 999)
end
local function enqueue(stream, waiting, since, streams, lease, job, enqueued)
  if redis.call('ZSCORE', since, job) or redis.call('EXISTS', lease) == 1 then return false end
  pcall(redis.call, 'XGROUP', 'CREATE', stream, '${GROUP}', '0', 'MKSTREAM')
  local id = redis.call('XADD', stream, '*', 'job', job)
  redis.call('ZADD', waiting, order(id), job)
  redis.call('ZADD', since, enqueued, job)
  redis.call('SADD', streams, stream)
  return id
end
`;

const SCRIPTS = {
  // KEYS: stream, waiting, since, streams, lease  ARGV: job, enqueued_ms
  qeEnqueue: {
    keys: 5,
    lua: `${ENQUEUE_LUA}
return enqueue(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2])`,
  },
  // Delivers the oldest undelivered entry across the given streams to consumer ARGV[1].
  // KEYS: streams to read  ARGV: consumer  -> { stream, entry id, fields } or nil
  qeTake: {
    keys: -1,
    lua: `
local function older(a, b)
  local am, as = string.match(a, '(%d+)-(%d+)')
  local bm, bs = string.match(b, '(%d+)-(%d+)')
  am, bm = tonumber(am), tonumber(bm)
  return am < bm or (am == bm and tonumber(as) < tonumber(bs))
end
local best, bestKey
for _, key in ipairs(KEYS) do
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', key)
  if ok then
    for _, g in ipairs(groups) do
      local name, last
      for j = 1, #g, 2 do
        if g[j] == 'name' then name = g[j + 1] elseif g[j] == 'last-delivered-id' then last = g[j + 1] end
      end
      if name == '${GROUP}' then
        local nxt = redis.call('XRANGE', key, '(' .. last, '+', 'COUNT', 1)
        if #nxt > 0 and (best == nil or older(nxt[1][1], best)) then best, bestKey = nxt[1][1], key end
      end
    end
  end
end
if not best then return false end
local r = redis.call('XREADGROUP', 'GROUP', '${GROUP}', ARGV[1], 'COUNT', 1, 'STREAMS', bestKey, '>')
if not r then return false end
return { bestKey, r[1][2][1][1], r[1][2][1][2] }`,
  },
  // KEYS: lease, leases, waiting, since  ARGV: job, lease_id, agent_id, expires_ms, entry, stream
  qeStart: {
    keys: 4,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'lease_id', ARGV[2], 'agent_id', ARGV[3], 'expires_ms', ARGV[4],
  'entry', ARGV[5], 'stream', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return 1`,
  },
  // KEYS: lease, leases  ARGV: job, lease_id, new_expires_ms
  qeExtend: {
    keys: 2,
    lua: `
if redis.call('HGET', KEYS[1], 'lease_id') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'expires_ms', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1`,
  },
  // Drops a delivered entry and the lease; with ARGV[3] = '1' the job goes to the back of stream KEYS[7].
  // KEYS: old stream, lease, leases, waiting, since, streams, new stream  ARGV: job, entry, requeue, enqueued_ms
  qeSettle: {
    keys: 7,
    lua: `${ENQUEUE_LUA}
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[1], '${GROUP}', ARGV[2])
  redis.call('XDEL', KEYS[1], ARGV[2])
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[5], ARGV[1])
  return enqueue(KEYS[7], KEYS[4], KEYS[5], KEYS[6], KEYS[2], ARGV[1], ARGV[4])
end
return false`,
  },
  // Takes the lock, or confirms this token already holds it (a retried SET whose first reply was lost).
  // KEYS: lock  ARGV: token, ttl_ms
  qeLock: {
    keys: 1,
    lua: `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`,
  },
  // KEYS: lock  ARGV: token
  qeUnlock: {
    keys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
  },
} as const;

export class RedisDispatcher implements Dispatcher {
  readonly redis: Redis;
  private readonly jobs: JobStore;
  private readonly leaseMs: number;
  private readonly prefix: string;
  private readonly poolSize: number;
  private readonly lockTtlMs: number;
  private readonly orphanIdleMs: number;
  private readonly clock: () => number;
  private readonly idle: Redis[] = [];
  private readonly busy = new Set<Redis>();
  private readonly knownGroups = new Set<string>();
  private closed = false;

  constructor(options: RedisDispatcherOptions) {
    this.redis = new Redis(options.redisUrl, {
      // Fail fast while Redis is down: the route answers 503 and the agent (or client) retries.
      maxRetriesPerRequest: 3,
      retryStrategy: (times) => Math.min(times * 50, 1000),
    });
    // Without a listener ioredis logs every reconnect failure itself; commands still report errors.
    this.redis.on("error", () => {});
    for (const [name, script] of Object.entries(SCRIPTS)) {
      const numberOfKeys = script.keys >= 0 ? { numberOfKeys: script.keys } : {};
      this.redis.defineCommand(name, { lua: script.lua, ...numberOfKeys });
    }
    this.jobs = options.jobs;
    this.leaseMs = options.leaseSeconds * 1000;
    this.prefix = options.prefix ?? "qmk-edge:";
    this.poolSize = options.poolSize ?? 8;
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.orphanIdleMs = this.leaseMs + (options.orphanGraceMs ?? 5_000);
    this.clock = options.clock ?? Date.now;
  }

  async enqueue(record: JobRecord): Promise<void> {
    await guard(async () => {
      if (record.status !== "queued") return;
      await this.script("qeEnqueue", [
        await this.laneOf(record),
        this.key("waiting"),
        this.key("waiting-since"),
        this.key("streams"),
        this.key(`lease:${record.id}`),
        record.id,
        Date.parse(record.enqueued_at),
      ]);
    });
  }

  async lease(request: LeaseRequest, signal?: AbortSignal): Promise<LeaseResponse | null> {
    return await guard(async () => {
      const streams = this.lanesFor(request);
      const waitMs = Math.min(request.wait_ms ?? 0, LEASE_MAX_WAIT_MS);
      const deadline = this.clock() + waitMs;
      await this.touchAgent(request.agent_id);
      await this.ensureGroups(streams);
      for (;;) {
        const ready = await this.take(streams, request.agent_id);
        if (ready) {
          const leased = await this.start(ready, request);
          if (leased) return leased;
          continue; // a stale entry was dropped; look again at once
        }
        const remaining = deadline - this.clock();
        if (remaining <= 0 || signal?.aborted || this.closed) return null;
        await this.ensureGroups(streams);
        const waited = await this.blockingRead(
          streams,
          request.agent_id,
          Math.min(remaining, BLOCK_SLICE_MS),
          signal,
        );
        // One read may deliver an entry from each lane; this lease takes the first, the others go back.
        const [first, ...extras] = waited;
        for (const extra of extras) await this.putBack(extra);
        if (first) {
          const leased = await this.start(first, request);
          if (leased) return leased;
        }
      }
    });
  }

  async heartbeat(jobId: string, request: HeartbeatRequest): Promise<HeartbeatResponse> {
    return await guard(() =>
      this.withLock(jobId, async () => {
        const record = await this.load(jobId);
        const lease = await this.heldLease(jobId, request.lease_id);
        const now = this.clock();
        const expiresMs = now + this.leaseMs;
        const expiresAt = new Date(expiresMs).toISOString();
        const next = lifecycle.recordHeartbeat(record, {
          leaseId: request.lease_id,
          stage: request.stage,
          expiresAt,
          now: new Date(now).toISOString(),
        });
        await this.jobs.put(next);
        const extended = await this.script("qeExtend", [
          this.key(`lease:${jobId}`),
          this.key("leases"),
          jobId,
          request.lease_id,
          expiresMs,
        ]);
        if (extended !== 1) throw new LeaseLostError(`lease ${request.lease_id} does not hold job ${jobId}`);
        // Keeps the pending entry's idle time low so the orphan scan passes it by.
        await this.redis.xclaim(lease.stream, GROUP, lease.agentId, 0, lease.entry, "JUSTID");
        await this.touchAgent(lease.agentId);
        return { lease_expires_at: expiresAt };
      }),
    );
  }

  async checkLease(jobId: string, leaseId: string): Promise<void> {
    await guard(async () => {
      const lease = await this.leaseRow(jobId);
      if (lease?.leaseId === leaseId) return;
      await this.load(jobId);
      throw new LeaseLostError(`lease ${leaseId} does not hold job ${jobId}`);
    });
  }

  async attachArtifact(jobId: string, leaseId: string, kind: ArtifactKind, ref: ArtifactRef): Promise<void> {
    await guard(() =>
      this.withLock(jobId, async () => {
        const record = await this.load(jobId);
        await this.heldLease(jobId, leaseId);
        await this.jobs.put(lifecycle.attachArtifact(record, leaseId, kind, ref));
      }),
    );
  }

  async complete(jobId: string, request: CompleteRequest): Promise<JobRecord> {
    return await guard(() =>
      this.withLock(jobId, async () => {
        const now = new Date(this.clock()).toISOString();
        const record = await this.load(jobId);
        const lease = await this.leaseRow(jobId);
        if (lifecycle.isTerminal(record) && record.lease?.id === request.lease_id) {
          // A repeated completion: the record is final; finish the Redis side if the first try could not.
          if (lease?.leaseId === request.lease_id) await this.settle(jobId, lease, null);
          return record;
        }
        if (lease?.leaseId !== request.lease_id) {
          throw new LeaseLostError(`lease ${request.lease_id} does not hold job ${jobId}`);
        }
        const done = lifecycle.completeJob(record, request, { now });
        await this.jobs.put(done);
        const cache = lifecycle.cacheEntryFor(done, { now });
        if (cache) await this.jobs.putCache(cache);
        if (done.status === "finished" && done.toolchain) {
          await this.redis.hset(this.key("keyboard-toolchains"), done.request.keyboard, done.toolchain);
        }
        await this.settle(jobId, lease, null);
        return done;
      }),
    );
  }

  async release(jobId: string, request: ReleaseRequest): Promise<void> {
    await guard(() =>
      this.withLock(jobId, async () => {
        const record = await this.load(jobId);
        const lease = await this.heldLease(jobId, request.lease_id);
        const next = lifecycle.releaseJob(record, {
          leaseId: request.lease_id,
          reason: request.reason,
          now: new Date(this.clock()).toISOString(),
        });
        await this.jobs.put(next);
        await this.settle(jobId, lease, next);
      }),
    );
  }

  async queuePosition(jobId: string): Promise<number | null> {
    return await guard(() => this.redis.zrank(this.key("waiting"), jobId));
  }

  async stats(agentWindowSeconds: number): Promise<DispatchStats> {
    return await guard(async () => {
      const now = this.clock();
      const [queued, oldest, running, seen, last] = await Promise.all([
        this.redis.zcard(this.key("waiting-since")),
        this.redis.zrange(this.key("waiting-since"), 0, 0, "WITHSCORES"),
        this.redis.zcard(this.key("leases")),
        this.redis.zcount(this.key("agents"), now - agentWindowSeconds * 1000, "+inf"),
        this.redis.zrevrange(this.key("agents"), 0, 0, "WITHSCORES"),
      ]);
      return {
        queued,
        running,
        oldestQueuedAt: oldest[1] ? new Date(Number(oldest[1])).toISOString() : null,
        agentsSeen: seen,
        lastAgentSeenAt: last[1] ? new Date(Number(last[1])).toISOString() : null,
      };
    });
  }

  async reapExpiredLeases(now: string): Promise<number> {
    return await guard(async () => {
      const nowMs = Date.parse(now);
      let expired = 0;
      const due = await this.redis.zrangebyscore(this.key("leases"), "-inf", nowMs);
      for (const jobId of due) {
        if (await this.expire(jobId, nowMs)) expired++;
      }
      for (const stream of await this.redis.smembers(this.key("streams"))) {
        expired += await this.reclaimOrphans(stream, nowMs);
      }
      return expired;
    });
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
    for (const conn of [...this.idle, ...this.busy]) conn.disconnect();
    this.idle.length = 0;
    this.busy.clear();
  }

  async close(): Promise<void> {
    this.interruptWaits();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  // --- leasing

  private async laneOf(record: JobRecord): Promise<string> {
    const learned = await this.redis.hget(this.key("keyboard-toolchains"), record.request.keyboard);
    const lane = record.toolchain ?? (learned === "avr" || learned === "arm" ? learned : "any");
    return this.key(`stream:${record.firmware_version}:${lane}`);
  }

  private lanesFor(request: LeaseRequest): string[] {
    const lanes: Array<Toolchain | "any"> = ["any", ...new Set(request.toolchains)];
    return lanes.map((lane) => this.key(`stream:${request.firmware_version}:${lane}`));
  }

  private async take(streams: string[], consumer: string): Promise<StreamEntry | null> {
    const reply = (await this.script("qeTake", [streams.length, ...streams, consumer])) as
      | [string, string, string[]]
      | null;
    return reply ? toEntry(reply[0], reply[1], reply[2]) : null;
  }

  private async start(entry: StreamEntry, request: LeaseRequest): Promise<LeaseResponse | null> {
    return await this.withLock(entry.jobId, async () => {
      const record = await this.jobs.get(entry.jobId);
      if (record?.status !== "queued") {
        // A duplicate or stale entry: the job is leased, done, or gone. Drop the entry, keep any lease.
        await this.dropEntry(entry);
        return null;
      }
      const nowMs = this.clock();
      const leaseId = newId();
      const expiresMs = nowMs + this.leaseMs;
      const started = await this.script("qeStart", [
        this.key(`lease:${entry.jobId}`),
        this.key("leases"),
        this.key("waiting"),
        this.key("waiting-since"),
        entry.jobId,
        leaseId,
        request.agent_id,
        expiresMs,
        entry.id,
        entry.stream,
      ]);
      if (started !== 1) {
        await this.dropEntry(entry);
        return null;
      }
      const lease = {
        id: leaseId,
        agent_id: request.agent_id,
        expires_at: new Date(expiresMs).toISOString(),
      };
      const running = lifecycle.startLease(record, lease, { now: new Date(nowMs).toISOString() });
      try {
        await this.jobs.put(running);
      } catch (err) {
        // The record could not be saved: hand the job straight back rather than leave it leased to no one.
        const row = { leaseId, agentId: request.agent_id, expiresMs, entry: entry.id, stream: entry.stream };
        await this.settle(entry.jobId, row, record).catch(() => {});
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
        lease_id: leaseId,
        lease_expires_at: lease.expires_at,
      };
    });
  }

  // XREADGROUP BLOCK ties up its connection, so each waiting lease borrows one; an abort disconnects it.
  private async blockingRead(
    streams: string[],
    consumer: string,
    blockMs: number,
    signal?: AbortSignal,
  ): Promise<StreamEntry[]> {
    const conn = this.borrow();
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      conn.disconnect();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    let healthy = false;
    try {
      const reply = (await conn.xreadgroup(
        "GROUP",
        GROUP,
        consumer,
        "COUNT",
        1,
        "BLOCK",
        Math.max(1, Math.floor(blockMs)),
        "STREAMS",
        ...streams,
        ...streams.map(() => ">"),
      )) as [string, [string, string[]][]][] | null;
      healthy = true;
      const entries: StreamEntry[] = [];
      for (const [stream, items] of reply ?? []) {
        for (const [id, fields] of items) {
          const entry = toEntry(stream, id, fields);
          if (entry) entries.push(entry);
          else await this.dropEntry({ stream, id });
        }
      }
      return entries;
    } catch (err) {
      if (aborted || this.closed) return [];
      if (err instanceof Error && /NOGROUP/.test(err.message)) {
        // Redis lost its data (restarted without persistence, or flushed): create the groups again.
        for (const stream of streams) this.knownGroups.delete(stream);
        return [];
      }
      throw err;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.giveBack(conn, healthy && !aborted);
    }
  }

  private borrow(): Redis {
    const conn =
      this.idle.pop() ??
      this.redis.duplicate({ maxRetriesPerRequest: 1, autoResendUnfulfilledCommands: false });
    conn.on("error", () => {});
    this.busy.add(conn);
    return conn;
  }

  private giveBack(conn: Redis, reusable: boolean): void {
    this.busy.delete(conn);
    conn.removeAllListeners("error");
    if (reusable && !this.closed && this.idle.length < this.poolSize) this.idle.push(conn);
    else conn.disconnect();
  }

  // An entry delivered along with the one this lease took: to the back of its queue for another agent.
  private async putBack(entry: StreamEntry): Promise<void> {
    await this.withLock(entry.jobId, async () => {
      const record = await this.jobs.get(entry.jobId);
      if (record?.status !== "queued" || (await this.leaseRow(entry.jobId))) {
        await this.dropEntry(entry);
        return;
      }
      const orphan: LeaseRow = {
        leaseId: "",
        agentId: "",
        expiresMs: 0,
        entry: entry.id,
        stream: entry.stream,
      };
      await this.settle(entry.jobId, orphan, record);
    });
  }

  // --- expiry

  private async expire(jobId: string, nowMs: number): Promise<boolean> {
    return await this.withLock(jobId, async () => {
      const lease = await this.leaseRow(jobId);
      if (!lease) {
        await this.redis.zrem(this.key("leases"), jobId);
        return false;
      }
      if (lease.expiresMs > nowMs) return false;
      const record = await this.jobs.get(jobId);
      if (!record) {
        await this.settle(jobId, lease, null);
        return false;
      }
      if (record.status === "queued") {
        // Leased in Redis but the record never said so (the lease was never handed out): no attempt counted.
        await this.settle(jobId, lease, record);
        return false;
      }
      if (record.status !== "running" || record.lease?.id !== lease.leaseId) {
        await this.settle(jobId, lease, null);
        return false;
      }
      const next = lifecycle.expireLease(record, { now: new Date(nowMs).toISOString() });
      await this.jobs.put(next);
      await this.settle(jobId, lease, next.status === "queued" ? next : null);
      return true;
    });
  }

  // Entries delivered but never turned into a lease (a process died in between), idle past a lease's length.
  private async reclaimOrphans(stream: string, nowMs: number): Promise<number> {
    let cursor = "0-0";
    let expired = 0;
    for (let round = 0; round < 100; round++) {
      const reply = (await this.redis
        .xautoclaim(stream, GROUP, REAPER_CONSUMER, this.orphanIdleMs, cursor, "COUNT", 100)
        .catch((err: Error) => {
          if (/NOGROUP|no such key/i.test(err.message)) return ["0-0", []];
          throw err;
        })) as [string, [string, string[] | null][]];
      const [next, entries] = reply;
      for (const [id, fields] of entries) {
        const entry = fields ? toEntry(stream, id, fields) : null;
        if (!entry) {
          await this.dropEntry({ stream, id });
          continue;
        }
        if (await this.reclaim(entry, nowMs)) expired++;
      }
      if (next === "0-0") break;
      cursor = next;
    }
    return expired;
  }

  private async reclaim(entry: StreamEntry, nowMs: number): Promise<boolean> {
    return await this.withLock(entry.jobId, async () => {
      const lease = await this.leaseRow(entry.jobId);
      if (lease && lease.entry === entry.id) return false; // a recorded lease: expiry deals with it
      const record = await this.jobs.get(entry.jobId);
      if (!record || lease || lifecycle.isTerminal(record)) {
        await this.dropEntry(entry);
        return false;
      }
      const orphan: LeaseRow = {
        leaseId: "",
        agentId: "",
        expiresMs: 0,
        entry: entry.id,
        stream: entry.stream,
      };
      if (record.status === "queued") {
        await this.settle(entry.jobId, orphan, record);
        return false;
      }
      const next = lifecycle.expireLease(record, { now: new Date(nowMs).toISOString() });
      await this.jobs.put(next);
      await this.settle(entry.jobId, orphan, next.status === "queued" ? next : null);
      return true;
    });
  }

  // --- shared steps

  // Drops the entry and the lease; with `requeue`, the job goes to the back of its lane's queue.
  private async settle(jobId: string, lease: LeaseRow, requeue: JobRecord | null): Promise<void> {
    const lane = requeue ? await this.laneOf(requeue) : lease.stream;
    await this.script("qeSettle", [
      lease.stream,
      this.key(`lease:${jobId}`),
      this.key("leases"),
      this.key("waiting"),
      this.key("waiting-since"),
      this.key("streams"),
      lane,
      jobId,
      lease.entry,
      requeue ? "1" : "0",
      requeue ? Date.parse(requeue.enqueued_at) : 0,
    ]);
  }

  private async dropEntry(entry: { stream: string; id: string }): Promise<void> {
    await this.redis.multi().xack(entry.stream, GROUP, entry.id).xdel(entry.stream, entry.id).exec();
  }

  private async leaseRow(jobId: string): Promise<LeaseRow | null> {
    const row = await this.redis.hgetall(this.key(`lease:${jobId}`));
    if (!row.lease_id) return null;
    return {
      leaseId: row.lease_id,
      agentId: row.agent_id ?? "",
      expiresMs: Number(row.expires_ms),
      entry: row.entry ?? "",
      stream: row.stream ?? "",
    };
  }

  private async heldLease(jobId: string, leaseId: string): Promise<LeaseRow> {
    const lease = await this.leaseRow(jobId);
    if (lease?.leaseId !== leaseId) throw new LeaseLostError(`lease ${leaseId} does not hold job ${jobId}`);
    return lease;
  }

  private async load(jobId: string): Promise<JobRecord> {
    const record = await this.jobs.get(jobId);
    if (!record) throw new NotFoundError(`no job ${jobId}`);
    return record;
  }

  private async touchAgent(agentId: string): Promise<void> {
    const now = this.clock();
    await this.redis
      .multi()
      .zadd(this.key("agents"), now, agentId)
      .zremrangebyscore(this.key("agents"), "-inf", now - 24 * 3600 * 1000)
      .exec();
  }

  private async ensureGroups(streams: string[]): Promise<void> {
    for (const stream of streams) {
      if (this.knownGroups.has(stream)) continue;
      await this.redis.xgroup("CREATE", stream, GROUP, "0", "MKSTREAM").catch((err: Error) => {
        if (!/BUSYGROUP/.test(err.message)) throw err;
      });
      await this.redis.sadd(this.key("streams"), stream);
      this.knownGroups.add(stream);
    }
  }

  private async withLock<T>(jobId: string, fn: () => Promise<T>): Promise<T> {
    const key = this.key(`lock:${jobId}`);
    const token = newId();
    const deadline = Date.now() + this.lockTtlMs;
    let wait = 5;
    while ((await this.script("qeLock", [key, token, this.lockTtlMs])) !== 1) {
      if (Date.now() > deadline) throw new UnavailableError(`job ${jobId} is busy; retry shortly`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 100);
    }
    const expires = Date.now() + this.lockTtlMs;
    try {
      return await fn();
    } finally {
      await this.unlock(key, token, expires);
    }
  }

  // A lock left behind by an unlock that failed (Redis was down) would stall the job until its TTL: the
  // unlock is retried in the background until it lands or the lock has expired anyway.
  private async unlock(key: string, token: string, until: number): Promise<void> {
    try {
      await this.script("qeUnlock", [key, token]);
    } catch {
      if (Date.now() >= until || this.closed) return;
      const timer = setTimeout(() => void this.unlock(key, token, until), 200);
      timer.unref();
    }
  }

  private async script(name: keyof typeof SCRIPTS, args: (string | number)[]): Promise<unknown> {
    const fn = (this.redis as unknown as Record<string, ScriptFn>)[name];
    if (!fn) throw new Error(`script ${name} not defined`);
    return await fn.apply(this.redis, args);
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }
}

function toEntry(stream: string, id: string, fields: string[]): StreamEntry | null {
  const at = fields.indexOf("job");
  const jobId = at >= 0 ? fields[at + 1] : undefined;
  return jobId ? { stream, id, jobId } : null;
}

const DOMAIN_ERRORS = [LeaseLostError, NotFoundError, StateConflictError, UnavailableError];

// Redis being unreachable is a 503 the caller may retry, not a 500.
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (DOMAIN_ERRORS.some((E) => err instanceof E)) throw err;
    if (err instanceof Error && isRedisFailure(err)) {
      throw new UnavailableError(`redis: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

function isRedisFailure(err: Error): boolean {
  return (
    err.name === "MaxRetriesPerRequestError" ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|LOADING|NOGROUP|READONLY/.test(
      err.message,
    )
  );
}
