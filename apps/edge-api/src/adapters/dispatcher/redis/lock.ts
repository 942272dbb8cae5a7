import type { Redis } from "ioredis";
import { UnavailableError } from "../../../jobs/errors.ts";
import { newId } from "../../../jobs/job-id.ts";
import type { RedisKeys } from "./keys.ts";
import { tryLock, unlock } from "./scripts.ts";

// The per-job mutex: a transition reads, changes and saves the job record under it, so two processes never
// interleave read-modify-writes of one record.
export class JobLock {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #ttlMs: number;
  readonly #isClosed: () => boolean;

  constructor(redis: Redis, keys: RedisKeys, ttlMs: number, isClosed: () => boolean) {
    this.#redis = redis;
    this.#keys = keys;
    this.#ttlMs = ttlMs;
    this.#isClosed = isClosed;
  }

  async run<T>(jobId: string, fn: () => Promise<T>): Promise<T> {
    const key = this.#keys.lock(jobId);
    const token = newId();
    const deadline = Date.now() + this.#ttlMs;
    let wait = 5;
    while (!(await tryLock(this.#redis, key, token, this.#ttlMs))) {
      if (Date.now() > deadline) throw new UnavailableError(`job ${jobId} is busy; retry shortly`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 100);
    }
    const expires = Date.now() + this.#ttlMs;
    try {
      return await fn();
    } finally {
      await this.#unlock(key, token, expires);
    }
  }

  // A lock left behind by an unlock that failed (Redis was down) would stall the job until its TTL: the
  // unlock is retried in the background until it lands or the lock has expired anyway.
  async #unlock(key: string, token: string, until: number): Promise<void> {
    try {
      await unlock(this.#redis, key, token);
    } catch {
      if (Date.now() >= until || this.#isClosed()) return;
      const timer = setTimeout(() => void this.#unlock(key, token, until), 200);
      timer.unref();
    }
  }
}
