// New jobs' enqueues, the ones asked in one event-loop turn sent together (as queue positions and the rate
// limiter batch theirs: adapters/turn-batch.ts): one script, one socket write and one reply for the turn, where
// each new job was its own command. POSTs whose records one journal commit made durable resume in the same
// turn, so a burst of new jobs shares its command. Each job is still enqueued on its own inside the script:
// one that Redis refuses fails only its own POST.
import type { JobRecord } from "@qmk-edge/schema";
import type { Redis } from "ioredis";
import { TurnBatch } from "../../turn-batch.ts";
import type { RedisKeys } from "./keys.ts";
import { enqueueInLanes } from "./scripts.ts";

// Jobs per script call: a turn with more sends more than one.
const MAX_JOBS_PER_CALL = 128;

interface Waiter {
  record: JobRecord;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class TurnEnqueues {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #turn = new TurnBatch<Waiter>((batch) => this.#send(batch), MAX_JOBS_PER_CALL);

  // `redis` must have the dispatcher's scripts defined (scripts.ts defineScripts).
  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  // Resolves once the job waits in its lane's stream (or already waited, or is leased).
  enqueue(record: JobRecord): Promise<void> {
    return new Promise((resolve, reject) => this.#turn.add(record.id, { record, resolve, reject }));
  }

  async #send(batch: [string, Waiter[]][]): Promise<void> {
    let refusals: (Error | null)[];
    try {
      refusals = await enqueueInLanes(
        this.#redis,
        this.#keys,
        batch.map(([, waiters]) => waiters[0]!.record),
      );
    } catch (err) {
      for (const [, waiters] of batch) for (const w of waiters) w.reject(err);
      return;
    }
    batch.forEach(([, waiters], k) => {
      const refused = refusals[k];
      for (const w of waiters) refused ? w.reject(refused) : w.resolve();
    });
  }
}
