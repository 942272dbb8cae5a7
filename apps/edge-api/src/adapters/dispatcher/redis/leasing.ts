import { LEASE_MAX_WAIT_MS, type LeaseHolder, type LeaseRequest, type LeaseResponse } from "@qmk-edge/schema";
import type { Redis } from "ioredis";
import type { Clock } from "../../../jobs/clock.ts";
import { newId } from "../../../jobs/job-id.ts";
import { grantLease, type LeasePolicy } from "../../../jobs/lease.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import { touchAgent } from "./agents.ts";
import type { BlockingReader } from "./blocking-reader.ts";
import type { ConsumerGroups } from "./consumer-groups.ts";
import type { RedisKeys } from "./keys.ts";
import { lanesFor } from "./lanes.ts";
import { type LeaseRow, orphanLease, readLeaseRow } from "./lease-row.ts";
import type { JobLock } from "./lock.ts";
import { recordLease, settle, takeOldest } from "./scripts.ts";
import { dropEntry, type StreamEntry, toEntry } from "./stream-entry.ts";

// The longest single XREADGROUP BLOCK; a long poll loops, so a dead connection is noticed within this.
const BLOCK_SLICE_MS = 5_000;

export interface Leasing {
  redis: Redis;
  keys: RedisKeys;
  jobs: JobStore;
  lock: JobLock;
  groups: ConsumerGroups;
  reader: BlockingReader;
  lease: LeasePolicy;
  now: Clock;
  // The dispatcher is shutting down: no new waits.
  closed: () => boolean;
}

// A lease: a Lua script picks the agent's lane whose next undelivered entry is oldest and XREADGROUPs it (the
// entry moves to the group's pending list with the agent as consumer); when all lanes are empty the lease
// long-polls with XREADGROUP BLOCK on a pooled connection of its own (an abort disconnects it). Another
// script then records the lease unless one exists (a duplicate entry loses), and jobs/lease.ts grants it.
export async function leaseJob(
  ctx: Leasing,
  request: LeaseRequest,
  holder: LeaseHolder,
  signal?: AbortSignal,
): Promise<LeaseResponse | null> {
  const streams = lanesFor(ctx.keys, request);
  const deadline = ctx.now().getTime() + Math.min(request.wait_ms ?? 0, LEASE_MAX_WAIT_MS);
  await touchAgent(ctx.redis, ctx.keys, request.agent_id, request.firmware_version, ctx.now());
  await ctx.groups.ensure(streams);
  for (;;) {
    const ready = await take(ctx, streams, request.agent_id);
    if (ready) {
      const leased = await start(ctx, ready, request, holder);
      if (leased) return leased;
      continue; // a stale entry was dropped; look again at once
    }
    const remaining = deadline - ctx.now().getTime();
    if (remaining <= 0 || signal?.aborted || ctx.closed()) return null;
    await ctx.groups.ensure(streams);
    const blockMs = Math.min(remaining, BLOCK_SLICE_MS);
    const waited = await ctx.reader.read(streams, request.agent_id, blockMs, signal);
    // One read may deliver an entry from each lane; this lease takes the first, the others go back.
    const [first, ...extras] = waited;
    for (const extra of extras) await putBack(ctx, extra);
    if (first) {
      const leased = await start(ctx, first, request, holder);
      if (leased) return leased;
    }
  }
}

async function take(ctx: Leasing, streams: string[], consumer: string): Promise<StreamEntry | null> {
  const reply = await takeOldest(ctx.redis, streams, consumer);
  return reply ? toEntry(reply[0], reply[1], reply[2]) : null;
}

async function start(
  ctx: Leasing,
  entry: StreamEntry,
  request: LeaseRequest,
  holder: LeaseHolder,
): Promise<LeaseResponse | null> {
  const { redis, keys, jobs } = ctx;
  return await ctx.lock.run(entry.jobId, async () => {
    const record = await jobs.get(entry.jobId);
    if (record?.status !== "queued") {
      // A duplicate or stale entry: the job is leased, done, or gone. Drop the entry, keep any lease.
      await dropEntry(redis, entry);
      return null;
    }
    const args = { leaseId: newId(), request, holder, now: ctx.now(), lease: ctx.lease };
    const granted = grantLease(record, args);
    const row: LeaseRow = {
      leaseId: granted.lease.id,
      agentId: request.agent_id,
      expiresMs: Date.parse(granted.lease.expires_at),
      entry: entry.id,
      stream: entry.stream,
    };
    if (!(await recordLease(redis, keys, entry.jobId, row))) {
      await dropEntry(redis, entry);
      return null;
    }
    try {
      await jobs.put(granted.record);
    } catch (err) {
      // The record could not be saved: hand the job straight back rather than leave it leased to no one.
      await settle(redis, keys, entry.jobId, row, record).catch(() => {});
      throw err;
    }
    return granted.response;
  });
}

// An entry delivered along with the one this lease took: to the back of its queue for another agent.
async function putBack(ctx: Leasing, entry: StreamEntry): Promise<void> {
  const { redis, keys } = ctx;
  await ctx.lock.run(entry.jobId, async () => {
    const record = await ctx.jobs.get(entry.jobId);
    if (record?.status !== "queued" || (await readLeaseRow(redis, keys, entry.jobId))) {
      await dropEntry(redis, entry);
      return;
    }
    await settle(redis, keys, entry.jobId, orphanLease(entry), record);
  });
}
