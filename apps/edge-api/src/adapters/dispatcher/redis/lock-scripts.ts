// The per-job lock's scripts (lock.ts uses them): take, take with the lease row, release.
import type { Redis } from "ioredis";
import { runScript, type Script } from "./script-runner.ts";

export const LOCK_SCRIPTS = {
  // The lock as qeLock and, once held, the job's lease row (HGETALL): a transition's first two round trips.
  // KEYS: lock, lease  ARGV: token, ttl_ms  -> { 1, row } or { 0 }
  qeLockLease: {
    keys: 2,
    lua: `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return { 0 } end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return { 1, redis.call('HGETALL', KEYS[2]) }`,
  },
  // Takes the lock, or confirms this token already holds it (a retried SET whose first reply was lost).
  // KEYS: lock  ARGV: token, ttl_ms
  qeLock: {
    keys: 1,
    lua: `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`,
  },
  // KEYS: lock  ARGV: token
  qeUnlock: {
    keys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
  },
} satisfies Record<string, Script>;

// tryLock, and the job's lease row as HGETALL gives it (field, value, ...) once the lock is held.
export async function tryLockWithLease(
  redis: Redis,
  key: string,
  leaseKey: string,
  token: string,
  ttlMs: number,
): Promise<string[] | null> {
  const reply = (await runScript(redis, "qeLockLease", [key, leaseKey, token, ttlMs])) as [number, string[]?];
  return reply[0] === 1 ? (reply[1] ?? []) : null;
}

export async function tryLock(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await runScript(redis, "qeLock", [key, token, ttlMs])) === 1;
}

export async function unlock(redis: Redis, key: string, token: string): Promise<void> {
  await runScript(redis, "qeUnlock", [key, token]);
}
