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

export interface DispatchStats {
  queued: number;
  running: number;
  oldestQueuedAt: string | null;
  agentsSeen: number;
  // Of those, the agents whose last lease request asked for jobs of the firmware version given to stats().
  agentsForVersion: number;
  lastAgentSeenAt: string | null;
}

// Hands queued jobs to agents under leases and owns every job state transition after submission
// (applying the rules of jobs/ and saving the record through the JobStore). Workers: Queue + Durable
// Object (adapters/dispatcher/durable-object/). Node: Redis Streams (adapters/dispatcher/redis/).
// A lease is granted to the token that asked (`holder`); lease-checked methods take the caller's token and
// throw LeaseLostError (jobs/errors.ts) for a stale or unknown lease, or one another token holds.
export interface Dispatcher {
  // The record is already saved as `queued`; this must make it durable in the queue before returning.
  enqueue(record: JobRecord): Promise<void>;
  // Waits up to request.wait_ms for a job the agent can build; null when none arrived.
  lease(request: LeaseRequest, holder: LeaseHolder, signal?: AbortSignal): Promise<LeaseResponse | null>;
  heartbeat(jobId: string, request: HeartbeatRequest, holder: LeaseHolder): Promise<HeartbeatResponse>;
  checkLease(jobId: string, leaseId: string, holder: LeaseHolder): Promise<void>;
  attachArtifact(
    jobId: string,
    leaseId: string,
    holder: LeaseHolder,
    kind: ArtifactKind,
    ref: ArtifactRef,
  ): Promise<void>;
  // Idempotent for the lease that completed the job; returns the final record. A finished build is then
  // offered to the build cache (jobs/build-cache.ts publishBuild).
  complete(jobId: string, request: CompleteRequest, holder: LeaseHolder): Promise<JobRecord>;
  release(jobId: string, request: ReleaseRequest, holder: LeaseHolder): Promise<void>;
  // The agent `agentId` of token `holder` has gone: its waiting lease polls answer null now, and every lease
  // it holds goes back to the queue without counting an attempt. Returns how many leases it handed back.
  disconnect(agentId: string, holder: LeaseHolder): Promise<number>;
  // lifecycle.revokeLease: ends `leaseId` when its token is not among `activeTokenIds`; true when it did.
  revokeLease(jobId: string, leaseId: string, activeTokenIds: string[]): Promise<boolean>;
  // Ends a job that is still queued as failed with `reason` (jobs/no-agent.ts failQueuedJob) and returns the
  // record as it now is; a job leased or ended meanwhile comes back unchanged; null when it is unknown here.
  failQueued(jobId: string, reason: string): Promise<JobRecord | null>;
  // 0 = next to be leased; null when the job is not queued.
  queuePosition(jobId: string): Promise<number | null>;
  // A record the store holds as queued, as a status read shows it: with its queue position, or, when the
  // dispatcher holds the job past queued already (the Durable Object dispatcher copies a lease's record to the
  // store after answering it), the record the dispatcher holds, with no position.
  queueView(record: JobRecord): Promise<{ record: JobRecord; queuePosition: number | null }>;
  stats(agentWindowSeconds: number, firmwareVersion: string): Promise<DispatchStats>;
  // Applies expireLease to every lease that expired before `now`; the Durable Object's alarm and the Redis
  // reaper call it, and tests call it with a future `now` instead of waiting. Returns how many expired.
  reapExpiredLeases(now: string): Promise<number>;
}
