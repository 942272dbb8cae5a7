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
import { UNDELIVERED_LEASE } from "../../../jobs/lease.ts";
import type { Dispatcher, DispatchStats } from "../../../ports/dispatcher.ts";
import type { DispatcherRpc, LobbyRpc, Moved } from "./interface.ts";
import { type Outcome, unwrap } from "./outcome.ts";
import { mergeStats, queuePositionAcross, shardedLease } from "./sharded-calls.ts";
import { lobbyStub, shardOfJob, shardStub } from "./shards.ts";

// RPC results arrive typed as serialized copies; the values are plain JSON, so they are the same shapes.
const outcome = <T>(value: unknown) => unwrap(value as Outcome<T>);

export interface ShardOptions {
  // DISPATCHER_SHARDS; 1 (the default) is the single Dispatcher object of before.
  shards: number;
  lobby: DurableObjectNamespace<LobbyRpc>;
}

// The Dispatcher port on Workers: the Queue is the durable ingress, the Durable Objects lease. Every call about
// one job goes to the shard that holds it (shards.ts); leases, stats and disconnects look at every shard.
export class DurableObjectDispatcher implements Dispatcher {
  readonly #namespace: DurableObjectNamespace<DispatcherRpc>;
  readonly #queue: Queue<JobQueueMessage>;
  readonly #shards: number;
  readonly #lobby: DurableObjectNamespace<LobbyRpc> | null;

  constructor(
    namespace: DurableObjectNamespace<DispatcherRpc>,
    queue: Queue<JobQueueMessage>,
    options: ShardOptions | null = null,
  ) {
    this.#namespace = namespace;
    this.#queue = queue;
    this.#shards = options?.shards ?? 1;
    this.#lobby = options?.lobby ?? null;
  }

  #stub(jobId: string) {
    return shardStub(this.#namespace, shardOfJob(jobId, this.#shards));
  }

  #all() {
    return Array.from({ length: this.#shards }, (_, i) => shardStub(this.#namespace, i));
  }

  // Durable once the Queue took it. Handing it to the object at once as well makes it leasable without waiting
  // for the consumer's batch; the consumer's later delivery is then a no-op.
  async enqueue(record: JobRecord): Promise<void> {
    await this.#queue.send({ job_id: record.id }, { contentType: "json" });
    try {
      outcome(await this.#stub(record.id).enqueue(record));
    } catch (err) {
      console.warn(`dispatcher: direct hand-over of ${record.id} failed; the queue consumer will retry`, err);
    }
  }

  async lease(
    request: LeaseRequest,
    holder: LeaseHolder,
    signal?: AbortSignal,
  ): Promise<LeaseResponse | null> {
    const leased =
      this.#shards > 1 && this.#lobby
        ? await shardedLease(this.#namespace, this.#lobby, this.#shards, request, holder, signal)
        : outcome<LeaseResponse | null>(
            await shardStub(this.#namespace, 0).lease(request, holder, Date.now()),
          );
    // The agent hung up while waiting: give the job straight back instead of letting the lease expire. Only
    // where the runtime says so (wrangler dev never did, docs/architecture.md); the agent's POST
    // /v1/agent/disconnect is what ends its polls everywhere.
    if (leased && signal?.aborted) {
      await this.release(leased.job.id, { lease_id: leased.lease_id, reason: UNDELIVERED_LEASE }, holder);
      return null;
    }
    return leased;
  }

  // The Lobby and every shard at once: the Lobby ends the agent's waits, and remembers the goodbye for a poll
  // that began before it but is still asking the shards (goodbyes.ts); each shard hands back its leases.
  async disconnect(agentId: string, holder: LeaseHolder): Promise<number> {
    const lobby =
      this.#lobby && this.#shards > 1 ? lobbyStub(this.#lobby).endWaits(agentId, holder.token_id) : null;
    const [released] = await Promise.all([
      Promise.all(this.#all().map((s) => s.disconnect(agentId, holder))),
      lobby,
    ]);
    return released.reduce((sum, r) => sum + outcome<number>(r), 0);
  }

  async heartbeat(jobId: string, request: HeartbeatRequest, holder: LeaseHolder): Promise<HeartbeatResponse> {
    return outcome(await this.#stub(jobId).heartbeat(jobId, request, holder));
  }

  async checkLease(jobId: string, leaseId: string, holder: LeaseHolder): Promise<void> {
    outcome(await this.#stub(jobId).checkLease(jobId, leaseId, holder));
  }

  async attachArtifact(
    jobId: string,
    leaseId: string,
    holder: LeaseHolder,
    kind: ArtifactKind,
    ref: ArtifactRef,
  ): Promise<void> {
    outcome(await this.#stub(jobId).attachArtifact(jobId, leaseId, holder, kind, ref));
  }

  async complete(jobId: string, request: CompleteRequest, holder: LeaseHolder): Promise<JobRecord> {
    return outcome(await this.#stub(jobId).complete(jobId, request, holder));
  }

  async release(jobId: string, request: ReleaseRequest, holder: LeaseHolder): Promise<void> {
    outcome(await this.#stub(jobId).release(jobId, request, holder));
  }

  async revokeLease(jobId: string, leaseId: string, activeTokenIds: string[]): Promise<boolean> {
    return outcome(await this.#stub(jobId).revokeLease(jobId, leaseId, activeTokenIds));
  }

  async failQueued(jobId: string, reason: string): Promise<JobRecord | null> {
    return outcome(await this.#stub(jobId).failQueued(jobId, reason));
  }

  async queuePosition(jobId: string): Promise<number | null> {
    const position = await this.#queuePosition(jobId);
    return typeof position === "number" ? position : null;
  }

  // A lease's record reaches R2 after the lease (job-table.ts persistLater): the shard answers its row then.
  async queueView(record: JobRecord): Promise<{ record: JobRecord; queuePosition: number | null }> {
    const position = await this.#queuePosition(record.id);
    if (position !== null && typeof position === "object")
      return { record: position.moved, queuePosition: null };
    return { record, queuePosition: position };
  }

  async #queuePosition(jobId: string): Promise<number | Moved | null> {
    if (this.#shards === 1) return (await this.#stub(jobId).queuePosition(jobId)) as number | Moved | null;
    return await queuePositionAcross(this.#all(), shardOfJob(jobId, this.#shards), jobId);
  }

  async stats(agentWindowSeconds: number, firmwareVersion: string): Promise<DispatchStats> {
    const all = await Promise.all(this.#all().map((s) => s.stats(agentWindowSeconds, firmwareVersion)));
    return mergeStats(all as DispatchStats[]);
  }

  async reapExpiredLeases(now: string): Promise<number> {
    const reaped = await Promise.all(this.#all().map((s) => s.reapExpiredLeases(now)));
    return (reaped as number[]).reduce((a, b) => a + b, 0);
  }
}
