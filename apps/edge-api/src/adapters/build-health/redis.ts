// Build health on Redis, per firmware version: a hash of results (works, last_tested), a hash of messages,
// a key per claimed keyboard (SET NX PX: two API processes never hand one keyboard to two agents) and a
// counter per clock hour for the operator's limit.
import { type BuildHealthEntry, buildHealthEntry } from "@qmk-edge/schema";
import type { Redis } from "ioredis";
import { hourOf } from "../../jobs/build-health.ts";
import type { BuildHealthStore, HealthSummary } from "../../ports/build-health.ts";

// Claims tried per call; the rest of the due list waits for the next idle agent.
const MAX_TRIES = 32;

export class RedisBuildHealthStore implements BuildHealthStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}health:`;
  }

  #key(version: string, part: string): string {
    return `${this.#prefix}${version}:${part}`;
  }

  async summary(version: string): Promise<HealthSummary> {
    const all = await this.#redis.hgetall(this.#key(version, "results"));
    return new Map(
      Object.entries(all).map(([kb, text]) => [
        kb,
        JSON.parse(text) as { works: boolean; last_tested: number },
      ]),
    );
  }

  async entries(version: string): Promise<Map<string, BuildHealthEntry>> {
    const [summary, messages] = await Promise.all([
      this.summary(version),
      this.#redis.hgetall(this.#key(version, "messages")),
    ]);
    return new Map(
      [...summary].map(([kb, s]) => [kb, buildHealthEntry.parse({ ...s, message: messages[kb] ?? "" })]),
    );
  }

  // Every new job asks, and most keyboards have no entry: the message is read only when there is one.
  async entry(version: string, keyboard: string): Promise<BuildHealthEntry | null> {
    const s = await this.#redis.hget(this.#key(version, "results"), keyboard);
    if (s === null) return null;
    const message = await this.#redis.hget(this.#key(version, "messages"), keyboard);
    return buildHealthEntry.parse({ ...JSON.parse(s), message: message ?? "" });
  }

  async claim(
    version: string,
    due: string[],
    args: { nowMs: number; claimMs: number; maxPerHour: number | null; agentId: string },
  ): Promise<string | null> {
    for (const kb of due.slice(0, MAX_TRIES)) {
      const key = this.#key(version, `claim:${kb}`);
      const got = await this.#redis.set(key, args.agentId, "PX", args.claimMs, "NX");
      if (got !== "OK") {
        if ((await this.#redis.get(key)) !== args.agentId) continue;
        await this.#redis.pexpire(key, args.claimMs);
      }
      if (args.maxPerHour !== null) {
        const counter = this.#key(version, `hour:${hourOf(args.nowMs)}`);
        const [[, n]] = (await this.#redis.multi().incr(counter).expire(counter, 7200).exec()) as [
          [null, number],
        ];
        if (n > args.maxPerHour) {
          await this.#redis.del(this.#key(version, `claim:${kb}`));
          return null;
        }
      }
      return kb;
    }
    return null;
  }

  async report(version: string, keyboard: string, entry: BuildHealthEntry): Promise<void> {
    const { message, ...summary } = entry;
    await this.#redis
      .multi()
      .hset(this.#key(version, "results"), keyboard, JSON.stringify(summary))
      .hset(this.#key(version, "messages"), keyboard, message)
      .del(this.#key(version, `claim:${keyboard}`))
      .exec();
  }
}
