import { LEASE_MAX_WAIT_MS, type LeaseHolder, type LeaseRequest, type LeaseResponse } from "@qmk-edge/schema";
import type { Redis } from "ioredis";
import type { Clock } from "../../../jobs/clock.ts";
import { newId } from "../../../jobs/job-id.ts";
import { grantLease, type LeasePolicy } from "../../../jobs/lease.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import type { ConsumerGroups } from "./consumer-groups.ts";
import type { EntryWatch } from "./entry-watch.ts";
import type { RedisKeys } from "./keys.ts";
import { lanesFor } from "./lanes.ts";
import { grantText, LEASE_RECORD_DELAY_MS } from "./lease-grant.ts";
import type { LeaseRow } from "./lease-row.ts";
import { touchTakeLock } from "./lease-scripts.ts";
import type { JobLock } from "./lock.ts";
import { recordLease } from "./scripts.ts";
import { dropEntry, type StreamEntry, toEntry } from "./stream-entry.ts";

// The longest single wait before a lease looks again by itself (a wake the watch missed costs this much).
const BLOCK_SLICE_MS = 5_000;

export interface Leasing {
  redis: Redis;
  keys: RedisKeys;
  jobs: JobStore;
  lock: JobLock;
  groups: ConsumerGroups;
  watch: EntryWatch;
  lease: LeasePolicy;
  now: Clock;
  // The dispatcher is shutting down: no new waits.
  closed: () => boolean;
}

// A lease: one Lua script (lease-scripts.ts) records the agent as seen, picks the agent's lane whose next
// undelivered entry is oldest and XREADGROUPs it (the entry moves to the group's pending list with the agent
// as consumer), and takes that job's lock when it is free; when all lanes are empty the lease waits on the
// process's one shared watch of the streams (entry-watch.ts) and looks again when an entry arrives. Under the
// lock jobs/lease.ts grants it, another script records the lease with its grant unless one exists (a duplicate
// entry loses), and the lock is released: three round trips for a lease that finds work. The running record
// reaches the store later (lease-grant.ts, lease-records.ts).
export async function leaseJob(
  ctx: Leasing,
  request: LeaseRequest,
  holder: LeaseHolder,
  signal?: AbortSignal,
): Promise<LeaseResponse | null> {
  const streams = lanesFor(ctx.keys, request);
  const deadline = ctx.now().getTime() + Math.min(request.wait_ms ?? 0, LEASE_MAX_WAIT_MS);
  await ctx.groups.ensure(streams);
  for (;;) {
    const mark = await ctx.watch.watch(streams);
    const ready = await take(ctx, streams, request);
    if (ready) {
      const leased = await start(ctx, ready, request, holder);
      if (leased) return leased;
      continue; // a stale entry was dropped; look again at once
    }
    const remaining = deadline - ctx.now().getTime();
    if (remaining <= 0 || signal?.aborted || ctx.closed()) return null;
    await ctx.groups.ensure(streams);
    await ctx.watch.wait(streams, mark, Math.min(remaining, BLOCK_SLICE_MS), signal);
  }
}

// An entry taken, with the lock token when the script also took its job's lock.
type Ready = StreamEntry & { lockToken: string | null };

async function take(ctx: Leasing, streams: string[], request: LeaseRequest): Promise<Ready | null> {
  const agent = { id: request.agent_id, firmwareVersion: request.firmware_version, now: ctx.now() };
  const token = newId();
  const taken = await touchTakeLock(ctx.redis, ctx.keys, agent, streams, { token, ttlMs: ctx.lock.ttlMs });
  if (!taken) return null;
  const entry = toEntry(taken.stream, taken.id, taken.fields);
  return entry ? { ...entry, lockToken: taken.locked ? token : null } : null;
}

async function start(
  ctx: Leasing,
  entry: Ready,
  request: LeaseRequest,
  holder: LeaseHolder,
): Promise<LeaseResponse | null> {
  const { redis, keys, jobs } = ctx;
  // Another transition of this job holds its lock (a stale entry, or a reaper): wait for it as any would.
  const locked = <T>(fn: () => Promise<T>) =>
    entry.lockToken ? ctx.lock.runTaken(entry.jobId, entry.lockToken, fn) : ctx.lock.run(entry.jobId, fn);
  return await locked(async () => {
    const record = await jobs.get(entry.jobId);
    if (record?.status !== "queued") {
      // A duplicate or stale entry: the job is leased, done, or gone. Drop the entry, keep any lease.
      await dropEntry(redis, entry);
      return null;
    }
    const now = ctx.now();
    const args = { leaseId: newId(), request, holder, now, lease: ctx.lease };
    const granted = grantLease(record, args);
    const row: LeaseRow = {
      leaseId: granted.lease.id,
      agentId: request.agent_id,
      expiresMs: Date.parse(granted.lease.expires_at),
      entry: entry.id,
      stream: entry.stream,
      // The running record stays in the lease row until it is due in the store (lease-grant.ts): a quick
      // lease + complete writes the store once (the completion), not twice.
      grant: grantText(record, granted.lease, now.toISOString()),
    };
    if (!(await recordLease(redis, keys, entry.jobId, row, now.getTime() + LEASE_RECORD_DELAY_MS))) {
      await dropEntry(redis, entry);
      return null;
    }
    return granted.response;
  });
}
