import type { Redis } from "ioredis";
import { UnavailableError } from "../../../jobs/errors.ts";
import { newId } from "../../../jobs/job-id.ts";
import type { RedisKeys } from "./keys.ts";
import { type LeaseRow, leaseRowOf } from "./lease-row.ts";
import { tryLock, tryLockWithLease, unlock } from "./lock-scripts.ts";

// A lock this process holds; `released` once a script both settled the job and let the lock go.
export interface HeldLock {
  key: string;
  token: string;
  released: boolean;
}

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
    return await this.#run(jobId, key, (token) => tryLock(this.#redis, key, token, this.#ttlMs), fn);
  }

  // As run, with the job's lease row read in the same round trip as the lock; `fn` may end with a script that
  // releases the lock itself (settleAndUnlock, which sets `released`).
  async runWithLease<T>(
    jobId: string,
    fn: (lease: LeaseRow | null, lock: HeldLock) => Promise<T>,
  ): Promise<T> {
    const key = this.#keys.lock(jobId);
    const leaseKey = this.#keys.lease(jobId);
    let row: string[] = [];
    const take = async (token: string) => {
      const got = await tryLockWithLease(this.#redis, key, leaseKey, token, this.#ttlMs);
      if (got) row = got;
      return got !== null;
    };
    return await this.#run(jobId, key, take, (held) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < row.length; i += 2) fields[row[i] as string] = row[i + 1] as string;
      return fn(leaseRowOf(fields), held);
    });
  }

  async #run<T>(
    jobId: string,
    key: string,
    take: (token: string) => Promise<boolean>,
    fn: (held: HeldLock) => Promise<T>,
  ): Promise<T> {
    const token = newId();
    const deadline = Date.now() + this.#ttlMs;
    let wait = 5;
    while (!(await take(token))) {
      if (Date.now() > deadline) throw new UnavailableError(`job ${jobId} is busy; retry shortly`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 100);
    }
    return await this.#hold(key, token, fn);
  }

  // Runs `fn` under a lock a script already took with `token` (lease-scripts.ts' take), then releases it.
  async runTaken<T>(jobId: string, token: string, fn: () => Promise<T>): Promise<T> {
    return await this.#hold(this.#keys.lock(jobId), token, fn);
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  async #hold<T>(key: string, token: string, fn: (held: HeldLock) => Promise<T>): Promise<T> {
    const expires = Date.now() + this.#ttlMs;
    const held: HeldLock = { key, token, released: false };
    try {
      return await fn(held);
    } finally {
      if (!held.released) await this.#unlock(key, token, expires);
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
