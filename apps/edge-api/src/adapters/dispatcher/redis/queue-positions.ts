// Queue positions for status reads, the ones asked in one event-loop turn looked up together (as the rate
// limiter counts its requests, adapters/rate-limiter/redis.ts): one command and one reply for the turn, where
// each poll of a queued job was its own ZRANK, its own socket write and its own reply. A turn asking for one
// position sends the ZRANK itself. The script reads every rank at one instant, after every poll of the batch
// asked and before any is answered: each answer is a rank the job held while its request was in flight, as a
// ZRANK of its own gave.
import type { Redis } from "ioredis";
import { TurnBatch } from "../../turn-batch.ts";
import { runScript, type Script } from "./script-runner.ts";

// KEYS: waiting  ARGV: job ids  -> each id's rank, -1 when it is not waiting
export const QUEUE_POSITION_SCRIPTS: Record<string, Script> = {
  qeQueuePositions: {
    keys: 1,
    lua: `
local ranks = {}
for i, id in ipairs(ARGV) do
  ranks[i] = redis.call('ZRANK', KEYS[1], id) or -1
end
return ranks`,
  },
};

// Ids per script call: a turn asking for more sends more than one.
const MAX_IDS_PER_CALL = 512;

interface Waiter {
  resolve: (position: number | null) => void;
  reject: (err: unknown) => void;
}

export class QueuePositions {
  readonly #redis: Redis;
  readonly #waiting: string;
  // This turn's polls by job id, looked up at the end of the turn.
  readonly #turn = new TurnBatch<Waiter>((batch) => this.#lookUp(batch), MAX_IDS_PER_CALL);

  // `redis` must have QUEUE_POSITION_SCRIPTS defined (scripts.ts defineScripts).
  constructor(redis: Redis, waitingKey: string) {
    this.#redis = redis;
    this.#waiting = waitingKey;
  }

  // The job's 0-based rank among the waiting jobs, or null when it is not waiting.
  of(jobId: string): Promise<number | null> {
    return new Promise((resolve, reject) => this.#turn.add(jobId, { resolve, reject }));
  }

  async #lookUp(batch: [string, Waiter[]][]): Promise<void> {
    let ranks: (number | null)[];
    try {
      if (batch.length === 1) {
        ranks = [await this.#redis.zrank(this.#waiting, batch[0]![0])];
      } else {
        const ids = batch.map(([id]) => id);
        const replies = (await runScript(this.#redis, "qeQueuePositions", [
          this.#waiting,
          ...ids,
        ])) as number[];
        ranks = replies.map((r) => (Number(r) < 0 ? null : Number(r)));
      }
    } catch (err) {
      for (const [, waiters] of batch) for (const w of waiters) w.reject(err);
      return;
    }
    batch.forEach(([, waiters], k) => {
      for (const w of waiters) w.resolve(ranks[k] ?? null);
    });
  }
}
