// An agent's calls on a lease it holds (heartbeat, complete, release), each a transition under the job's lock:
// the record read, changed by jobs/ and saved, then the Redis side of the lease changed to match.
import type {
  CompleteRequest,
  HeartbeatRequest,
  HeartbeatResponse,
  JobRecord,
  LeaseHolder,
  ReleaseRequest,
} from "@qmk-edge/schema";
import type { Redis } from "ioredis";
import type { CommunityCachePolicy } from "../../../jobs/build-cache.ts";
import type { Clock } from "../../../jobs/clock.ts";
import { LeaseLostError, NotFoundError } from "../../../jobs/errors.ts";
import { heartbeatJob, type LeasePolicy } from "../../../jobs/lease.ts";
import * as lifecycle from "../../../jobs/lifecycle.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import { afterCompletionOn } from "./after-completion.ts";
import type { RedisKeys } from "./keys.ts";
import { leasedRecord } from "./lease-grant.ts";
import { heldLeaseRow, type LeaseRow } from "./lease-row.ts";
import { beatAndUnlock } from "./lease-scripts.ts";
import type { HeldLock, JobLock } from "./lock.ts";
import { settle, settleAndUnlock } from "./scripts.ts";

export interface HeldLeases {
  redis: Redis;
  keys: RedisKeys;
  jobs: JobStore;
  lock: JobLock;
  lease: LeasePolicy;
  now: Clock;
  cachePolicy: CommunityCachePolicy;
}

export async function loadRecord(jobs: JobStore, jobId: string): Promise<JobRecord> {
  const record = await jobs.get(jobId);
  if (!record) throw new NotFoundError(`no job ${jobId}`);
  return record;
}

// Lock + lease row, then (after the record is saved) extend + claim + agent seen + unlock: two round trips.
export async function heartbeatLease(
  ctx: HeldLeases,
  jobId: string,
  request: HeartbeatRequest,
  holder: LeaseHolder,
): Promise<HeartbeatResponse> {
  return await ctx.lock.runWithLease(jobId, async (lease, held) => {
    const record = leasedRecord(await loadRecord(ctx.jobs, jobId), lease);
    if (lease?.leaseId !== request.lease_id) {
      throw new LeaseLostError(`lease ${request.lease_id} does not hold job ${jobId}`);
    }
    const now = ctx.now();
    const beat = heartbeatJob(record, request, holder, { now, lease: ctx.lease });
    await ctx.jobs.put(beat.record);
    const expiresMs = Date.parse(beat.response.lease_expires_at);
    const firmwareVersion = record.firmware_version;
    const extended = await beatAndUnlock(
      ctx.redis,
      ctx.keys,
      { jobId, lease, expiresMs, firmwareVersion, now },
      held,
    );
    held.released = true;
    if (!extended) throw new LeaseLostError(`lease ${request.lease_id} does not hold job ${jobId}`);
    return beat.response;
  });
}

// Lock + lease row and settle + unlock are one script each: four round trips become two.
export async function completeLease(
  ctx: HeldLeases,
  jobId: string,
  request: CompleteRequest,
  holder: LeaseHolder,
): Promise<JobRecord> {
  const { redis, keys, jobs } = ctx;
  const finish = async (lease: LeaseRow, held: HeldLock) => {
    await settleAndUnlock(redis, keys, jobId, lease, held);
    held.released = true;
  };
  return await ctx.lock.runWithLease(jobId, async (lease, held) => {
    const now = ctx.now().toISOString();
    const record = leasedRecord(await loadRecord(jobs, jobId), lease);
    if (lifecycle.isTerminal(record) && record.lease?.id === request.lease_id) {
      // A repeated completion: the record is final; finish the Redis side if the first try could not.
      if (lifecycle.completeJob(record, request, holder, { now }) !== record) {
        throw new LeaseLostError(`lease ${request.lease_id} does not hold job ${jobId} for this agent token`);
      }
      if (lease?.leaseId === request.lease_id) await finish(lease, held);
      return record;
    }
    if (lease?.leaseId !== request.lease_id) {
      throw new LeaseLostError(`lease ${request.lease_id} does not hold job ${jobId}`);
    }
    let done = lifecycle.completeJob(record, request, holder, { now });
    await jobs.put(done);
    done = await afterCompletionOn(redis, keys, jobs, done, now, ctx.cachePolicy);
    await finish(lease, held);
    return done;
  });
}

export async function releaseLease(
  ctx: HeldLeases,
  jobId: string,
  request: ReleaseRequest,
  holder: LeaseHolder,
): Promise<void> {
  const { redis, keys } = ctx;
  await ctx.lock.run(jobId, async () => {
    const stored = await loadRecord(ctx.jobs, jobId);
    const lease = await heldLeaseRow(redis, keys, jobId, request.lease_id);
    const record = leasedRecord(stored, lease);
    const next = lifecycle.releaseJob(record, {
      leaseId: request.lease_id,
      holder,
      reason: request.reason,
      now: ctx.now().toISOString(),
    });
    await ctx.jobs.put(next);
    await settle(redis, keys, jobId, lease, next);
  });
}
