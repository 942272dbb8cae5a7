import type { QueueRepair, RepairOutcome } from "../../../jobs/reconcile.ts";
import type { DispatcherRpc } from "./interface.ts";
import { type Outcome, unwrap } from "./outcome.ts";
import { shardOfJob, shardStub } from "./shards.ts";

// The Durable Object side of the reconciler (jobs/reconcile.ts) as the Worker calls it: each open job goes to
// its own shard's repair (repair.ts), which knows whether it holds the job; "lost state" is a shard whose
// storage no longer has the mark of the last reconcile. The Worker's Cron Trigger runs it (workers/reconcile.ts).
export class DurableObjectQueueRepair implements QueueRepair {
  readonly #namespace: DurableObjectNamespace<DispatcherRpc>;
  readonly #shards: number;

  constructor(namespace: DurableObjectNamespace<DispatcherRpc>, shards: number) {
    this.#namespace = namespace;
    this.#shards = shards;
  }

  #all() {
    return Array.from({ length: this.#shards }, (_, i) => shardStub(this.#namespace, i));
  }

  async lostState(): Promise<boolean> {
    const marks = await Promise.all(this.#all().map((shard) => shard.hasReconciled()));
    return marks.some((marked) => !marked);
  }

  async markReconciled(): Promise<void> {
    await Promise.all(this.#all().map((shard) => shard.markReconciled()));
  }

  async repair(jobId: string): Promise<RepairOutcome> {
    const shard = shardStub(this.#namespace, shardOfJob(jobId, this.#shards));
    return unwrap((await shard.repair(jobId)) as Outcome<RepairOutcome>);
  }
}
