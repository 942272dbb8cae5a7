import type {
  ArtifactKind,
  ArtifactRef,
  CacheEntry,
  CompileRequest,
  CompleteRequest,
  JobRecord,
  JobStage,
  JobStatus,
  Lease,
} from "@qmk-edge/schema";
import { LeaseLostError, StateConflictError } from "./errors.ts";

// Every job state transition, as pure functions of a record. Both dispatchers (Durable Object, Redis)
// apply these, so the rules live once: forward only, one lease at a time, idempotent completion.

type Now = { now: string };

function withHistory(
  record: JobRecord,
  status: JobStatus,
  stage: JobStage | null,
  at: string,
  note?: string,
) {
  const entry = note === undefined ? { at, status, stage } : { at, status, stage, note };
  return [...record.history, entry];
}

export function newJobRecord(args: {
  id: string;
  request: CompileRequest;
  contentKey: string;
  firmwareVersion: string;
  maxAttempts: number;
  now: string;
}): JobRecord {
  return {
    schema_version: 1,
    id: args.id,
    created_at: args.now,
    enqueued_at: args.now,
    started_at: null,
    finished_at: null,
    status: "queued",
    stage: null,
    attempts: 0,
    max_attempts: args.maxAttempts,
    lease: null,
    history: [{ at: args.now, status: "queued", stage: null }],
    request: args.request,
    content_key: args.contentKey,
    firmware_version: args.firmwareVersion,
    toolchain: null,
    cache_hit_of: null,
    artifacts: {},
    result: null,
    failure_reason: null,
  };
}

// A new job answered from the build cache: finished at once, pointing at the earlier build's artifacts.
export function cachedJobRecord(args: {
  id: string;
  request: CompileRequest;
  cache: CacheEntry;
  now: string;
}) {
  const base = newJobRecord({
    id: args.id,
    request: args.request,
    contentKey: args.cache.content_key,
    firmwareVersion: args.cache.firmware_version,
    maxAttempts: 1,
    now: args.now,
  });
  return {
    ...base,
    started_at: args.now,
    finished_at: args.now,
    status: "finished",
    toolchain: args.cache.result.toolchain,
    cache_hit_of: args.cache.job_id,
    artifacts: args.cache.artifacts,
    result: args.cache.result,
    history: [
      { at: args.now, status: "finished", stage: null, note: `build cache hit of ${args.cache.job_id}` },
    ],
  } satisfies JobRecord;
}

export function startLease(record: JobRecord, lease: Lease, { now }: Now): JobRecord {
  if (record.status !== "queued")
    throw new StateConflictError(`job ${record.id} is ${record.status}, not queued`);
  return {
    ...record,
    status: "running",
    stage: null,
    lease,
    started_at: record.started_at ?? now,
    history: withHistory(record, "running", null, now, `leased to ${lease.agent_id}`),
  };
}

export function assertLease(record: JobRecord, leaseId: string): void {
  if (record.status !== "running" || record.lease?.id !== leaseId) {
    throw new LeaseLostError(`lease ${leaseId} does not hold job ${record.id}`);
  }
}

export function recordHeartbeat(
  record: JobRecord,
  args: { leaseId: string; stage: JobStage; expiresAt: string; now: string },
): JobRecord {
  assertLease(record, args.leaseId);
  const lease = { ...(record.lease as Lease), expires_at: args.expiresAt };
  const history =
    record.stage === args.stage ? record.history : withHistory(record, "running", args.stage, args.now);
  return { ...record, lease, stage: args.stage, history };
}

export function attachArtifact(record: JobRecord, leaseId: string, kind: ArtifactKind, ref: ArtifactRef) {
  assertLease(record, leaseId);
  return { ...record, artifacts: { ...record.artifacts, [kind]: ref } } satisfies JobRecord;
}

export function isTerminal(record: JobRecord): boolean {
  return record.status === "finished" || record.status === "failed";
}

// Completing twice with the same lease returns the record unchanged; any other lease is refused.
export function completeJob(record: JobRecord, request: CompleteRequest, { now }: Now): JobRecord {
  if (isTerminal(record) && record.lease?.id === request.lease_id) return record;
  assertLease(record, request.lease_id);
  if (request.status === "finished" && !record.artifacts.firmware) {
    throw new StateConflictError("upload the firmware artifact before completing as finished");
  }
  return {
    ...record,
    status: request.status,
    stage: null,
    finished_at: now,
    toolchain: request.toolchain,
    result: {
      returncode: request.returncode,
      output: request.output,
      command: request.command,
      firmware_filename: request.firmware_filename,
      toolchain: request.toolchain,
      timings: request.timings,
    },
    failure_reason:
      request.status === "failed" ? `build failed with return code ${request.returncode}` : null,
    history: withHistory(record, request.status, null, now),
  };
}

// A lost agent: back to the queue with one more attempt counted, or failed once attempts run out.
export function expireLease(record: JobRecord, { now }: Now): JobRecord {
  if (record.status !== "running") return record;
  const attempts = record.attempts + 1;
  if (attempts >= record.max_attempts) {
    const reason = `no build agent finished the job: lease expired ${attempts} time(s), the maximum`;
    return {
      ...record,
      attempts,
      status: "failed",
      stage: null,
      lease: null,
      finished_at: now,
      failure_reason: reason,
      history: withHistory(record, "failed", null, now, reason),
    };
  }
  return {
    ...record,
    attempts,
    status: "queued",
    stage: null,
    lease: null,
    history: withHistory(record, "queued", null, now, `lease expired (attempt ${attempts})`),
  };
}

// The agent gives the job back (shutting down, or it cannot build it): no attempt is counted.
export function releaseJob(
  record: JobRecord,
  args: { leaseId: string; reason: string; now: string },
): JobRecord {
  assertLease(record, args.leaseId);
  return {
    ...record,
    status: "queued",
    stage: null,
    lease: null,
    history: withHistory(record, "queued", null, args.now, `released: ${args.reason}`),
  };
}

// Used when the queue gives up on a job (dead-letter queue) so it never disappears silently.
export function failJob(record: JobRecord, reason: string, { now }: Now): JobRecord {
  if (isTerminal(record)) return record;
  return {
    ...record,
    status: "failed",
    stage: null,
    lease: null,
    finished_at: now,
    failure_reason: reason,
    history: withHistory(record, "failed", null, now, reason),
  };
}

export function cacheEntryFor(record: JobRecord, { now }: Now): CacheEntry | null {
  if (record.status !== "finished" || !record.result || !record.artifacts.firmware) return null;
  return {
    content_key: record.content_key,
    job_id: record.cache_hit_of ?? record.id,
    firmware_version: record.firmware_version,
    artifacts: record.artifacts,
    result: record.result,
    created_at: now,
  };
}
