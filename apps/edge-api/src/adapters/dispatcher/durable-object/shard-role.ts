import type { JobRecord } from "@qmk-edge/schema";
import type { DispatcherBindings } from "./interface.ts";
import { queuedAheadInLane } from "./queue-sql.ts";
import { homeShardOf, lobbyStub, shardOfJob, shardStub } from "./shards.ts";
import { seeAgent } from "./sql.ts";

// What a Dispatcher object does as one shard of several (shards.ts): ring the Lobby when it queues a job no
// waiting agent would otherwise hear of, and keep each agent's "last seen" at its home shard only, so the
// shards' agent counts add up. With one shard it does nothing.
export class ShardRole {
  readonly #sql: SqlStorage;
  readonly #env: DispatcherBindings;
  readonly shards: number;

  constructor(sql: SqlStorage, env: DispatcherBindings, shards: number) {
    this.#sql = sql;
    this.#env = env;
    this.shards = shards;
  }

  // A job just entered this shard's queue (new, released or expired). The Lobby is rung unless a job of the
  // same version and lane was already queued here: then agents that could build it are busy, not waiting.
  queued(record: JobRecord, { requeued }: { requeued: boolean }): void {
    if (this.shards <= 1 || record.status !== "queued") return;
    const { ahead, lane } = queuedAheadInLane(this.#sql, record);
    if (ahead > 0 && !requeued) return;
    lobbyStub(this.#env.DISPATCHER_LOBBY)
      .ring(record.firmware_version, lane)
      .catch((err: unknown) => console.warn("dispatcher: ringing the lobby failed", err));
  }

  // This shard learned a keyboard's toolchain from a build: every other shard learns it too, before the
  // completion answers, so the keyboard's next job (hashed to any shard) goes to the right agents.
  async teach(keyboard: string, toolchain: string, jobId: string): Promise<void> {
    if (this.shards <= 1) return;
    const self = shardOfJob(jobId, this.shards);
    const others = Array.from({ length: this.shards }, (_, i) => i).filter((i) => i !== self);
    await Promise.all(
      others.map((i) => shardStub(this.#env.DISPATCHER, i).learnToolchain(keyboard, toolchain)),
    );
  }

  // A heartbeat of job `jobId` (held here) from `agentId`.
  seen(agentId: string, jobId: string, nowMs: number): void {
    const home = homeShardOf(agentId, this.shards);
    if (home === shardOfJob(jobId, this.shards)) {
      seeAgent(this.#sql, agentId, null, nowMs);
      return;
    }
    shardStub(this.#env.DISPATCHER, home)
      .seeAgent(agentId, nowMs)
      .catch((err: unknown) => console.warn("dispatcher: noting an agent at its home shard failed", err));
  }
}
