import type { Redis } from "ioredis";
import { GROUP, type RedisKeys } from "./keys.ts";

// Remembers which streams already have the consumer group, so a lease creates it only once per process.
export class ConsumerGroups {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #known = new Set<string>();

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async ensure(streams: string[]): Promise<void> {
    for (const stream of streams) {
      if (this.#known.has(stream)) continue;
      await this.#redis.xgroup("CREATE", stream, GROUP, "0", "MKSTREAM").catch((err: Error) => {
        if (!/BUSYGROUP/.test(err.message)) throw err;
      });
      await this.#redis.sadd(this.#keys.streams, stream);
      this.#known.add(stream);
    }
  }

  // Redis lost its data (restarted without persistence, or flushed): the groups are created again.
  forget(streams: string[]): void {
    for (const stream of streams) this.#known.delete(stream);
  }
}
