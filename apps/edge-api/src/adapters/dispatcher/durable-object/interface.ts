import type {
  ArtifactKind,
  ArtifactRef,
  CompleteRequest,
  HeartbeatRequest,
  HeartbeatResponse,
  JobQueueMessage,
  JobRecord,
  LeaseHolder,
  LeaseRequest,
  LeaseResponse,
  ReleaseRequest,
} from "@qmk-edge/schema";
import { parseEnv, sharedEnv } from "../../../config/env-schema.ts";
import type { CommunityCachePolicy } from "../../../jobs/build-cache.ts";
import type { DispatchStats } from "../../../ports/dispatcher.ts";
import type { Outcome } from "./outcome.ts";

// The bindings and vars the Dispatcher needs: the object (object.ts) reads BUCKET and LEASE_SECONDS, the
// queue consumers (queue-consumer.ts) DISPATCHER, its client (client.ts) DISPATCHER and JOBS. The Worker's
// Env (workers/env.ts) is built from this and the other objects' bindings, so nothing here imports it.
export interface DispatcherBindings {
  BUCKET: R2Bucket;
  JOBS: Queue<JobQueueMessage>;
  DISPATCHER: DurableObjectNamespace<DispatcherRpc>;
  LEASE_SECONDS: string;
  COMMUNITY_CACHE_POLICY?: string;
}

// LEASE_SECONDS by the shared schema's rule (bounds, default): the one var the object reads. The Worker
// parses the whole environment on its first request, so a broken deployment still fails loudly there.
export function leaseSecondsOf(env: DispatcherBindings): number {
  const result = parseEnv(sharedEnv.pick({ LEASE_SECONDS: true }), { LEASE_SECONDS: env.LEASE_SECONDS });
  if (!result.ok) throw new Error(`invalid Worker configuration: ${result.problems.join("; ")}`);
  return result.value.LEASE_SECONDS;
}

// COMMUNITY_CACHE_POLICY by the shared schema's rule: what lets a community build into the build cache.
export function communityCachePolicyOf(env: DispatcherBindings): CommunityCachePolicy {
  const value = { COMMUNITY_CACHE_POLICY: env.COMMUNITY_CACHE_POLICY };
  const result = parseEnv(sharedEnv.pick({ COMMUNITY_CACHE_POLICY: true }), value);
  if (!result.ok) throw new Error(`invalid Worker configuration: ${result.problems.join("; ")}`);
  return result.value.COMMUNITY_CACHE_POLICY;
}

// The remote calls of the Dispatcher Durable Object (object.ts), as its binding, its client (client.ts) and
// the queue consumers (queue-consumer.ts) see them. Typing the binding by this interface rather than by the
// class keeps the Worker's env (workers/env.ts) free of the object and its imports.
export interface DispatcherRpc extends Rpc.DurableObjectBranded {
  enqueue(record: JobRecord): Promise<Outcome<"queued" | "known" | "ended">>;
  enqueueById(jobId: string): Promise<Outcome<"queued" | "known" | "ended" | "unknown">>;
  lease(request: LeaseRequest, holder: LeaseHolder): Promise<Outcome<LeaseResponse | null>>;
  heartbeat(
    jobId: string,
    request: HeartbeatRequest,
    holder: LeaseHolder,
  ): Promise<Outcome<HeartbeatResponse>>;
  checkLease(jobId: string, leaseId: string, holder: LeaseHolder): Promise<Outcome<null>>;
  attachArtifact(
    jobId: string,
    leaseId: string,
    holder: LeaseHolder,
    kind: ArtifactKind,
    ref: ArtifactRef,
  ): Promise<Outcome<null>>;
  complete(jobId: string, request: CompleteRequest, holder: LeaseHolder): Promise<Outcome<JobRecord>>;
  release(jobId: string, request: ReleaseRequest, holder: LeaseHolder): Promise<Outcome<null>>;
  revokeLease(jobId: string, leaseId: string, activeTokenIds: string[]): Promise<Outcome<boolean>>;
  disconnect(agentId: string, holder: LeaseHolder): Promise<Outcome<number>>;
  failQueued(jobId: string, reason: string): Promise<Outcome<JobRecord | null>>;
  queuePosition(jobId: string): Promise<number | null>;
  stats(agentWindowSeconds: number, firmwareVersion: string): Promise<DispatchStats>;
  // Leases whose expiry is at or before `now` go back to the queue with attempts + 1, or fail after the last.
  reapExpiredLeases(now: string): Promise<number>;
  // From the dead-letter queue's consumer: the job ends `failed` with `reason` unless it reached the object.
  failUndeliverable(jobId: string, reason: string): Promise<Outcome<string>>;
}

// All jobs go through one Dispatcher object; its name is fixed so every Worker isolate reaches the same one.
export const DISPATCHER_NAME = "dispatcher";

export function dispatcherStub(
  namespace: DurableObjectNamespace<DispatcherRpc>,
): DurableObjectStub<DispatcherRpc> {
  return namespace.get(namespace.idFromName(DISPATCHER_NAME));
}
