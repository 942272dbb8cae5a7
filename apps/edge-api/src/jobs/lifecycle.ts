import type {
  ArtifactKind,
  ArtifactRef,
  ArtifactSet,
  BuiltBy,
  CompileRequest,
  CompleteRequest,
  JobRecord,
  JobStage,
  JobStatus,
  Lease,
  LeaseHolder,
} from "@qmk-edge/schema";
import { stripAnsi } from "./ansi-escapes.ts";
import { LeaseLostError, StateConflictError } from "./errors.ts";

// Every job state transition, as pure functions of a record. Both dispatchers (Durable Object, Redis)
// apply these, so the rules live once: forward only, one lease at a time, idempotent completion, a lease
// acted on only by the token it was granted to, and artifacts that belong to the lease that uploaded them
// (a lease that ends without finishing takes them along).

// What `complete` as finished needs, uploaded under the completing lease.
export const REQUIRED_FOR_FINISHED = ["firmware", "source", "log"] as const satisfies ArtifactKind[];

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

// The lease a token may act on: this lease id, held by this token. Leases granted before tokens had names
// carry no token and stay usable by any accepted token until they end.
function holds(lease: Lease | null, leaseId: string, holder: LeaseHolder): boolean {
  return lease?.id === leaseId && (lease.token_id === undefined || lease.token_id === holder.token_id);
}

export function assertLease(record: JobRecord, leaseId: string, holder: LeaseHolder): void {
  if (record.status !== "running" || !holds(record.lease, leaseId, holder)) {
    throw new LeaseLostError(`lease ${leaseId} does not hold job ${record.id} for this agent token`);
  }
}

export function recordHeartbeat(
  record: JobRecord,
  args: { leaseId: string; holder: LeaseHolder; stage: JobStage; expiresAt: string; now: string },
): JobRecord {
  assertLease(record, args.leaseId, args.holder);
  const lease = { ...(record.lease as Lease), expires_at: args.expiresAt };
  const history =
    record.stage === args.stage ? record.history : withHistory(record, "running", args.stage, args.now);
  return { ...record, lease, stage: args.stage, history };
}

export function attachArtifact(
  record: JobRecord,
  args: { leaseId: string; holder: LeaseHolder; kind: ArtifactKind; ref: ArtifactRef },
) {
  assertLease(record, args.leaseId, args.holder);
  const ref = { ...args.ref, lease_id: args.leaseId };
  return { ...record, artifacts: { ...record.artifacts, [args.kind]: ref } } satisfies JobRecord;
}

// The artifacts uploaded under `leaseId`: whatever an earlier lease left is not this build's.
function artifactsOf(artifacts: ArtifactSet, leaseId: string): ArtifactSet {
  return Object.fromEntries(
    Object.entries(artifacts).filter(([, ref]) => ref?.lease_id === leaseId),
  ) as ArtifactSet;
}

export function isTerminal(record: JobRecord): boolean {
  return record.status === "finished" || record.status === "failed";
}

// Completing twice with the same lease returns the record unchanged; any other lease is refused. A finished
// build must have uploaded its firmware, source and log under this lease; a failed one serves no firmware.
// The result is `verified` at once when a trusted token built it (a community build may become verified
// later, see jobs/build-cache.ts).
export function completeJob(
  record: JobRecord,
  request: CompleteRequest,
  holder: LeaseHolder,
  { now }: Now,
): JobRecord {
  if (isTerminal(record) && holds(record.lease, request.lease_id, holder)) return record;
  assertLease(record, request.lease_id, holder);
  const lease = record.lease as Lease;
  const own = artifactsOf(record.artifacts, lease.id);
  if (request.status === "finished") {
    const missing = REQUIRED_FOR_FINISHED.filter((kind) => !own[kind]);
    if (missing.length > 0) {
      throw new StateConflictError(
        `upload the ${missing.join(", ")} artifact(s) under this lease before completing as finished`,
      );
    }
  }
  const { firmware: _dropped, ...withoutFirmware } = own;
  const builtBy: BuiltBy = {
    agent_id: lease.agent_id,
    token_id: lease.token_id ?? holder.token_id,
    trust: lease.trust ?? holder.trust,
  };
  return {
    ...record,
    status: request.status,
    stage: null,
    finished_at: now,
    toolchain: request.toolchain,
    artifacts: request.status === "finished" ? own : withoutFirmware,
    built_by: builtBy,
    verified: request.status === "finished" && builtBy.trust === "trusted",
    result: {
      returncode: request.returncode,
      output: stripAnsi(request.output),
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

// The lease ends without a build: back to the queue, or failed, with nothing the lease uploaded.
function requeued(record: JobRecord, now: string, note: string, attempts = record.attempts): JobRecord {
  const history = withHistory(record, "queued", null, now, note);
  return { ...record, attempts, status: "queued", stage: null, lease: null, artifacts: {}, history };
}

function failed(record: JobRecord, now: string, reason: string, attempts = record.attempts): JobRecord {
  return {
    ...record,
    attempts,
    status: "failed",
    stage: null,
    lease: null,
    artifacts: {},
    finished_at: now,
    failure_reason: reason,
    history: withHistory(record, "failed", null, now, reason),
  };
}

// A lost agent: back to the queue with one more attempt counted, or failed once attempts run out.
export function expireLease(record: JobRecord, { now }: Now): JobRecord {
  if (record.status !== "running") return record;
  const attempts = record.attempts + 1;
  if (attempts >= record.max_attempts) {
    const reason = `no build agent finished the job: lease expired ${attempts} time(s), the maximum`;
    return failed(record, now, reason, attempts);
  }
  return requeued(record, now, `lease expired (attempt ${attempts})`, attempts);
}

// The agent gives the job back (shutting down, or it cannot build it): no attempt is counted.
export function releaseJob(
  record: JobRecord,
  args: { leaseId: string; holder: LeaseHolder; reason: string; now: string },
): JobRecord {
  assertLease(record, args.leaseId, args.holder);
  return requeued(record, args.now, `released: ${args.reason}`);
}

// POST /v1/agent/disconnect: of `records`, the jobs agent `agentId` holds under `holder`'s token, back in the
// queue without counting an attempt (the agent has handed back or finished everything it knows of).
export function disconnectAgent(
  records: JobRecord[],
  args: { agentId: string; holder: LeaseHolder; now: string },
): JobRecord[] {
  return records
    .filter((r) => r.status === "running" && r.lease?.agent_id === args.agentId)
    .filter((r) => holds(r.lease, r.lease?.id ?? "", args.holder))
    .map((r) => requeued(r, args.now, `released: agent ${args.agentId} disconnected`));
}

// The lease's token was removed from the configuration: the job goes back to the queue (no attempt counted)
// without anything that token uploaded. Unchanged when `leaseId` is not the lease or its token is still active.
export function revokeLease(
  record: JobRecord,
  args: { leaseId: string; activeTokenIds: string[]; now: string },
): JobRecord {
  const lease = record.lease;
  if (record.status !== "running" || lease?.id !== args.leaseId) return record;
  if (lease.token_id === undefined || args.activeTokenIds.includes(lease.token_id)) return record;
  return requeued(record, args.now, `agent token ${lease.token_id} revoked`);
}

// A community build whose firmware a second token reproduced byte for byte (jobs/build-cache.ts).
export function markVerified(record: JobRecord): JobRecord {
  if (record.status !== "finished" || record.verified) return record;
  return { ...record, verified: true };
}

// Used when the queue gives up on a job (dead-letter queue) so it never disappears silently.
export function failJob(record: JobRecord, reason: string, { now }: Now): JobRecord {
  return isTerminal(record) ? record : failed(record, now, reason);
}
