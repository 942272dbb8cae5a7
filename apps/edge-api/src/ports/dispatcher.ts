import type {
  ArtifactKind,
  ArtifactRef,
  CompleteRequest,
  HeartbeatRequest,
  HeartbeatResponse,
  JobRecord,
  LeaseRequest,
  LeaseResponse,
  ReleaseRequest,
} from "@qmk-edge/schema";

export interface DispatchStats {
  queued: number;
  running: number;
  oldestQueuedAt: string | null;
  agentsSeen: number;
  lastAgentSeenAt: string | null;
}

// Hands queued jobs to agents under leases and owns every job state transition after submission
// (applying jobs/lifecycle.ts and saving the record through the JobStore). Workers: Queue + Durable
// Object (adapters/dispatcher/durable-object.ts). Node: Redis Streams (adapters/dispatcher/redis.ts).
// Lease-checked methods throw LeaseLostError (jobs/errors.ts) for a stale or unknown lease.
export interface Dispatcher {
  // The record is already saved as `queued`; this must make it durable in the queue before returning.
  enqueue(record: JobRecord): Promise<void>;
  // Waits up to request.wait_ms for a job the agent can build; null when none arrived.
  lease(request: LeaseRequest, signal?: AbortSignal): Promise<LeaseResponse | null>;
  heartbeat(jobId: string, request: HeartbeatRequest): Promise<HeartbeatResponse>;
  checkLease(jobId: string, leaseId: string): Promise<void>;
  attachArtifact(jobId: string, leaseId: string, kind: ArtifactKind, ref: ArtifactRef): Promise<void>;
  // Idempotent for the lease that completed the job; returns the final record.
  complete(jobId: string, request: CompleteRequest): Promise<JobRecord>;
  release(jobId: string, request: ReleaseRequest): Promise<void>;
  // 0 = next to be leased; null when the job is not queued.
  queuePosition(jobId: string): Promise<number | null>;
  stats(agentWindowSeconds: number): Promise<DispatchStats>;
  // Applies expireLease to every lease that expired before `now`; the Durable Object's alarm and the Redis
  // reaper call it, and tests call it with a future `now` instead of waiting. Returns how many expired.
  reapExpiredLeases(now: string): Promise<number>;
}
