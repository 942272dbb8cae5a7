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
import { type DispatcherRpc, dispatcherStub } from "./interface.ts";
import { type Outcome, unwrap } from "./outcome.ts";

// RPC results arrive typed as serialized copies; the values are plain JSON, so they are the same shapes.
const outcome = <T>(value: unknown) => unwrap(value as Outcome<T>);

// The Dispatcher port on Workers: the Queue is the durable ingress, the Durable Object leases.
export class DurableObjectDispatcher implements Dispatcher {
  readonly #namespace: DurableObjectNamespace<DispatcherRpc>;
  readonly #queue: Queue<JobQueueMessage>;

  constructor(namespace: DurableObjectNamespace<DispatcherRpc>, queue: Queue<JobQueueMessage>) {
    this.#namespace = namespace;
    this.#queue = queue;
  }

  #stub() {
    return dispatcherStub(this.#namespace);
  }

  // Durable once the Queue took it. Handing it to the object at once as well makes it leasable without waiting
  // for the consumer's batch; the consumer's later delivery is then a no-op.
  async enqueue(record: JobRecord): Promise<void> {
    await this.#queue.send({ job_id: record.id }, { contentType: "json" });
    try {
      outcome(await this.#stub().enqueue(record));
    } catch (err) {
      console.warn(`dispatcher: direct hand-over of ${record.id} failed; the queue consumer will retry`, err);
    }
  }

  async lease(
    request: LeaseRequest,
    holder: LeaseHolder,
    signal?: AbortSignal,
  ): Promise<LeaseResponse | null> {
    const leased = outcome<LeaseResponse | null>(await this.#stub().lease(request, holder));
    // The agent hung up while waiting: give the job straight back instead of letting the lease expire. Only
    // where the runtime says so (wrangler dev never did, docs/architecture.md); the agent's POST
    // /v1/agent/disconnect is what ends its polls everywhere.
    if (leased && signal?.aborted) {
      await this.release(leased.job.id, { lease_id: leased.lease_id, reason: UNDELIVERED_LEASE }, holder);
      return null;
    }
    return leased;
  }

  async disconnect(agentId: string, holder: LeaseHolder): Promise<number> {
    return outcome(await this.#stub().disconnect(agentId, holder));
  }

  async heartbeat(jobId: string, request: HeartbeatRequest, holder: LeaseHolder): Promise<HeartbeatResponse> {
    return outcome(await this.#stub().heartbeat(jobId, request, holder));
  }

  async checkLease(jobId: string, leaseId: string, holder: LeaseHolder): Promise<void> {
    outcome(await this.#stub().checkLease(jobId, leaseId, holder));
  }

  async attachArtifact(
    jobId: string,
    leaseId: string,
    holder: LeaseHolder,
    kind: ArtifactKind,
    ref: ArtifactRef,
  ): Promise<void> {
    outcome(await this.#stub().attachArtifact(jobId, leaseId, holder, kind, ref));
  }

  async complete(jobId: string, request: CompleteRequest, holder: LeaseHolder): Promise<JobRecord> {
    return outcome(await this.#stub().complete(jobId, request, holder));
  }

  async release(jobId: string, request: ReleaseRequest, holder: LeaseHolder): Promise<void> {
    outcome(await this.#stub().release(jobId, request, holder));
  }

  async revokeLease(jobId: string, leaseId: string, activeTokenIds: string[]): Promise<boolean> {
    return outcome(await this.#stub().revokeLease(jobId, leaseId, activeTokenIds));
  }

  async failQueued(jobId: string, reason: string): Promise<JobRecord | null> {
    return outcome(await this.#stub().failQueued(jobId, reason));
  }

  async queuePosition(jobId: string): Promise<number | null> {
    return (await this.#stub().queuePosition(jobId)) as number | null;
  }

  async stats(agentWindowSeconds: number, firmwareVersion: string): Promise<DispatchStats> {
    return (await this.#stub().stats(agentWindowSeconds, firmwareVersion)) as DispatchStats;
  }

  async reapExpiredLeases(now: string): Promise<number> {
    return (await this.#stub().reapExpiredLeases(now)) as number;
  }
}
