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
import { dispatcherEnv, parseEnv, sharedEnv } from "../../../config/env-schema.ts";
import type { CommunityCachePolicy } from "../../../jobs/build-cache.ts";
import type { RepairOutcome } from "../../../jobs/reconcile.ts";
import type { DispatchStats } from "../../../ports/dispatcher.ts";
import type { Offer, QueuedJob } from "./leases.ts";
import type { Outcome } from "./outcome.ts";

// The bindings and vars the Dispatcher needs: the object (object.ts) reads BUCKET, LEASE_SECONDS and, as one
// shard of several (shard-role.ts), DISPATCHER, DISPATCHER_LOBBY and DISPATCHER_SHARDS; the queue consumers
// (queue-consumer.ts) DISPATCHER and DISPATCHER_SHARDS, its client (client.ts) DISPATCHER, DISPATCHER_LOBBY
// and JOBS. The Worker's Env (workers/env.ts) is built from this and the other objects' bindings, so nothing
// here imports it.
export interface DispatcherBindings {
  BUCKET: R2Bucket;
  JOBS: Queue<JobQueueMessage>;
  DISPATCHER: DurableObjectNamespace<DispatcherRpc>;
  DISPATCHER_LOBBY: DurableObjectNamespace<LobbyRpc>;
  LEASE_SECONDS: string;
  COMMUNITY_CACHE_POLICY?: string;
  // How many Dispatcher objects share the jobs (docs/architecture.md, "The sharded dispatcher"); default 1,
  // the one object of before sharding. Fixed for a deployment: a job's shard is a hash of its id modulo it.
  DISPATCHER_SHARDS?: string;
}

// LEASE_SECONDS by the shared schema's rule (bounds, default): the one var the object reads. The Worker
// parses the whole environment on its first request, so a broken deployment still fails loudly there.
export function leaseSecondsOf(env: DispatcherBindings): number {
  const result = parseEnv(sharedEnv.pick({ LEASE_SECONDS: true }), { LEASE_SECONDS: env.LEASE_SECONDS });
  if (!result.ok) throw new Error(`invalid Worker configuration: ${result.problems.join("; ")}`);
  return result.value.LEASE_SECONDS;
}

// DISPATCHER_SHARDS by the Worker schema's rule (config/env-schema.ts dispatcherEnv: 1 to 64, default 1).
export function dispatcherShardsOf(env: DispatcherBindings): number {
  const result = parseEnv(dispatcherEnv, { DISPATCHER_SHARDS: env.DISPATCHER_SHARDS });
  if (!result.ok) throw new Error(`invalid Worker configuration: ${result.problems.join("; ")}`);
  return result.value.DISPATCHER_SHARDS;
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
// A job's row no longer queued, as a status read of a record R2 still holds as queued should show it.
export interface Moved {
  moved: JobRecord;
}

export interface DispatcherRpc extends Rpc.DurableObjectBranded {
  enqueue(record: JobRecord): Promise<Outcome<"queued" | "known" | "ended">>;
  // The Queue consumer's batch for this shard in one call: one outcome per id, in order.
  enqueueAllById(jobIds: string[]): Promise<Outcome<"queued" | "known" | "ended" | "unknown">[]>;
  // `startedMs`: when the poll began (the Worker's clock); a disconnect of the agent since then ends its wait.
  lease(
    request: LeaseRequest,
    holder: LeaseHolder,
    startedMs?: number,
  ): Promise<Outcome<LeaseResponse | null>>;
  // Sharded leases (sharded-calls.ts): a lease when this shard holds at least `claimAtBacklog` jobs the agent
  // can build, else its oldest one; `claim` then leases that job if it is still there, else this shard's
  // oldest if older than `olderThan` (the best the Worker knows elsewhere), else names this shard's oldest.
  offer(
    request: LeaseRequest,
    holder: LeaseHolder,
    home: boolean,
    claimAtBacklog: number,
  ): Promise<Outcome<Offer>>;
  claim(
    request: LeaseRequest,
    holder: LeaseHolder,
    jobId: string,
    olderThan: QueuedJob | null,
  ): Promise<Outcome<Offer>>;
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
  // A job R2 holds as queued: its place in the queue, or (Moved) the record its row has moved on to (a new
  // lease's record reaches R2 later: job-table.ts persistLater); null when this object does not hold it.
  queuePosition(jobId: string): Promise<number | Moved | null>;
  // Sharded: the job's place in this shard and when it was enqueued (or Moved, or null as above), and how many
  // jobs another shard holds queued from before that moment (ties broken by id).
  queueStanding(jobId: string): Promise<{ ahead: number; enqueuedMs: number } | Moved | null>;
  queuedBefore(enqueuedMs: number, jobId: string): Promise<number>;
  // Sharded: a shard that is not an agent's home notes the agent seen at that agent's home shard.
  seeAgent(agentId: string, nowMs: number): Promise<void>;
  // Sharded: another shard learned this keyboard's toolchain from a verified build.
  learnToolchain(keyboard: string, toolchain: string): Promise<void>;
  stats(agentWindowSeconds: number, firmwareVersion: string): Promise<DispatchStats>;
  // Leases whose expiry is at or before `now` go back to the queue with attempts + 1, or fail after the last.
  reapExpiredLeases(now: string): Promise<number>;
  // The reconciler (jobs/reconcile.ts, queue-repair.ts): a job the store holds as queued or running that this
  // shard does not know is queued again or its lease restored (repair.ts); a shard that lost its storage
  // lost its mark too.
  repair(jobId: string): Promise<Outcome<RepairOutcome>>;
  hasReconciled(): Promise<boolean>;
  markReconciled(): Promise<void>;
  // From the dead-letter queue's consumer: the job ends `failed` with `reason` unless it reached the object.
  failUndeliverable(jobId: string, reason: string): Promise<Outcome<string>>;
}

// The Lobby object (lobby.ts): where agents wait while no shard has a job for them. In memory only.
export interface LobbyRpc extends Rpc.DurableObjectBranded {
  // "work": a job may be waiting (rung since `sinceMs`, or while waiting): look in the shards again.
  waitForWork(wait: LobbyWait): Promise<"work" | "timeout" | "ended">;
  // A shard queued a job of this version with no queued job of its lane ahead of it (lane null: any agent).
  ring(firmwareVersion: string, lane: string | null): Promise<void>;
  // POST /v1/agent/disconnect: this agent's waits answer "ended", and so does a wait of a poll that began
  // before the disconnect (LobbyWait.startedMs) but arrives after it (goodbyes.ts).
  endWaits(agentId: string, tokenId: string): Promise<void>;
}

export interface LobbyWait {
  firmwareVersion: string;
  toolchains: string[];
  agentId: string;
  tokenId: string;
  // When the poll began (the Worker's clock), and when this pass over the shards began.
  startedMs: number;
  sinceMs: number;
  waitMs: number;
}
