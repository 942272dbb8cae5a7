import type {
  ArtifactKind,
  ArtifactRef,
  CompleteRequest,
  HeartbeatRequest,
  HeartbeatResponse,
  JobRecord,
  LeaseHolder,
  ReleaseRequest,
} from "@qmk-edge/schema";
import { LeaseLostError, NotFoundError } from "../../../jobs/errors.ts";
import { heartbeatJob } from "../../../jobs/lease.ts";
import * as lifecycle from "../../../jobs/lifecycle.ts";
import { failQueuedJob } from "../../../jobs/no-agent.ts";
import { endedDueMs } from "./alarm.ts";
import type { ObjectParts } from "./object-parts.ts";
import { type Outcome, outcomeOfCall } from "./outcome.ts";

// The calls about one job a Dispatcher object holds, after its lease: the agent's heartbeat, uploads and
// completion or release, and the API's revocations and no-agent failures. Each transition is written to the
// row at once (jobs/lifecycle.ts decides it) and persisted to R2 before the call answers.
export class JobCalls {
  readonly #parts: ObjectParts;

  constructor(parts: ObjectParts) {
    this.#parts = parts;
  }

  async heartbeat(
    jobId: string,
    request: HeartbeatRequest,
    holder: LeaseHolder,
  ): Promise<Outcome<HeartbeatResponse>> {
    const { table, shard } = this.#parts;
    return await outcomeOfCall(async () => {
      const now = this.#parts.now();
      const beat = heartbeatJob(await this.#active(jobId), request, holder, {
        now,
        lease: this.#parts.lease,
      });
      const written = table.write(beat.record);
      if (beat.record.lease) shard.seen(beat.record.lease.agent_id, jobId, now.getTime());
      await table.persist(jobId, false, written);
      await this.#parts.scheduleAlarm();
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
    const { table } = this.#parts;
    return await outcomeOfCall(async () => {
      table.write(lifecycle.attachArtifact(await this.#active(jobId), { leaseId, holder, kind, ref }));
      await table.persist(jobId);
      return null;
    });
  }

  async complete(jobId: string, request: CompleteRequest, holder: LeaseHolder): Promise<Outcome<JobRecord>> {
    const { table, jobs } = this.#parts;
    return await outcomeOfCall(async () => {
      const now = this.#parts.now().toISOString();
      const current = table.record(jobId);
      if (!current) {
        // Ended and forgotten here: only a repeat by the lease that completed it is answered.
        const stored = await jobs.get(jobId);
        if (!stored) throw new NotFoundError(`no job ${jobId}`);
        if (lifecycle.completeJob(stored, request, holder, { now }) !== stored) {
          throw new LeaseLostError(`job ${jobId} is no longer leased`);
        }
        return stored;
      }
      const record = lifecycle.completeJob(current, request, holder, { now });
      const ended = record !== current;
      const written = ended ? table.write(record) : undefined;
      // Also on a repeat: it finishes a write-through the first completion could not.
      await table.persist(jobId, false, written);
      if (!ended) {
        // Nothing new is due (the job ended before, and is written through now).
        await this.#parts.scheduleAlarm(Number.POSITIVE_INFINITY);
        return record;
      }
      const after = await table.afterCompletion(record, now, this.#parts.cachePolicy);
      // Written through: only its retention is due, unless afterCompletion wrote it again (verified), whose
      // write may have failed and left it to the alarm's retry.
      await this.#parts.scheduleAlarm(after === record ? endedDueMs(record) : undefined);
      return after;
    });
  }

  async release(jobId: string, request: ReleaseRequest, holder: LeaseHolder): Promise<Outcome<null>> {
    return await outcomeOfCall(async () => {
      const now = this.#parts.now().toISOString();
      const args = { leaseId: request.lease_id, holder, reason: request.reason, now };
      await this.#transition(jobId, lifecycle.releaseJob(await this.#active(jobId), args));
      return null;
    });
  }

  async revokeLease(jobId: string, leaseId: string, activeTokenIds: string[]): Promise<Outcome<boolean>> {
    return await outcomeOfCall(async () => {
      const current = this.#parts.table.record(jobId);
      if (!current) return false;
      const now = this.#parts.now().toISOString();
      const next = lifecycle.revokeLease(current, { leaseId, activeTokenIds, now });
      if (next === current) return false;
      await this.#transition(jobId, next);
      return true;
    });
  }

  async failQueued(jobId: string, reason: string): Promise<Outcome<JobRecord | null>> {
    return await outcomeOfCall(async () => {
      const current = this.#parts.table.record(jobId);
      if (!current) return null;
      const next = failQueuedJob(current, reason, { now: this.#parts.now().toISOString() });
      if (next !== current) await this.#transition(jobId, next);
      return next;
    });
  }

  // A transition that may put the job back in the queue: written, handed to waiting agents, persisted.
  async #transition(jobId: string, next: JobRecord): Promise<void> {
    const { table, leases, shard } = this.#parts;
    table.write(next);
    leases.wake();
    shard.queued(next, { requeued: true });
    await table.persist(jobId);
    await this.#parts.scheduleAlarm();
  }

  // The record of a job this object holds, or the reason an agent cannot act on it.
  async #active(jobId: string): Promise<JobRecord> {
    const record = this.#parts.table.record(jobId);
    if (record) return record;
    const stored = await this.#parts.jobs.get(jobId);
    if (!stored) throw new NotFoundError(`no job ${jobId}`);
    throw new LeaseLostError(`job ${jobId} is ${stored.status} and no longer leased`);
  }
}
