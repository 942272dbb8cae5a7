// Every Redis-side transition of a job is one Lua script, so a job is always exactly one of: waiting in a
// stream, leased, or done. Each wrapper below passes KEYS and ARGV in the order its script documents.
import type { JobRecord } from "@qmk-edge/schema";
import type { Redis } from "ioredis";
import { GROUP, type RedisKeys } from "./keys.ts";
import { laneOf } from "./lanes.ts";
import type { LeaseRow } from "./lease-row.ts";
import { LEASE_SCRIPTS } from "./lease-scripts.ts";
import { LOCK_SCRIPTS } from "./lock-scripts.ts";
import { QUEUE_POSITION_SCRIPTS } from "./queue-positions.ts";
import { defineScriptTable, runScript, type Script } from "./script-runner.ts";

// Adds a job to a stream and the waiting sets unless it is already waiting or leased. A stream is made only
// with its consumer group (here, or by consumer-groups.ts), so the group is created when the stream does not
// exist yet, not tried on every enqueue (each try after the first an error, BUSYGROUP, raised and caught in
// Redis). A stream that lost its group another way (an operator's XGROUP DESTROY) gets it back from the next
// lease that looks at it (lease-scripts.ts qeTouchTakeLock).
const ENQUEUE_LUA = `
local function order(id)
  local ms, seq = string.match(id, '(%d+)-(%d+)')
  return tonumber(ms) * 1000 + math.min(tonumber(seq), 999)
end
local function enqueue(stream, waiting, since, streams, lease, job, enqueued)
  if redis.call('ZSCORE', since, job) or redis.call('EXISTS', lease) == 1 then return false end
  if redis.call('EXISTS', stream) == 0 then
    redis.call('XGROUP', 'CREATE', stream, '${GROUP}', '0', 'MKSTREAM')
  end
  local id = redis.call('XADD', stream, '*', 'job', job)
  redis.call('ZADD', waiting, order(id), job)
  redis.call('ZADD', since, enqueued, job)
  redis.call('SADD', streams, stream)
  return id
end
`;

// The body of qeSettle as a function, so a script can settle and then do more. The job's record was written
// by the transition that settles, so no lease record of it is due any more (`unsaved`).
const SETTLE_LUA = `
local function settle(unsaved)
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[1], '${GROUP}', ARGV[2])
  redis.call('XDEL', KEYS[1], ARGV[2])
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', unsaved, ARGV[1])
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[5], ARGV[1])
  return enqueue(KEYS[7], KEYS[4], KEYS[5], KEYS[6], KEYS[2], ARGV[1], ARGV[4])
end
return false
end
`;

const SCRIPTS = {
  // KEYS: stream, waiting, since, streams, lease  ARGV: job, enqueued_ms
  qeEnqueue: {
    keys: 5,
    lua: `${ENQUEUE_LUA}
return enqueue(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2])`,
  },
  // New jobs into their lanes' streams, any number in one command (enqueue-batch.ts: a turn's new jobs). A job's
  // lane is lanes.ts laneOf's rule: the record's toolchain, else the one learned for its keyboard, else `any`.
  // Each job is enqueued on its own (a Redis error on one leaves the others enqueued and is answered for it).
  // KEYS: waiting, since, streams, keyboard toolchains, then per job: streams any, avr, arm; lease
  // ARGV: per job: job, enqueued_ms, keyboard, the record's toolchain ('' when none)
  // -> per job: 1 enqueued, 0 already waiting or leased, or the error's text
  qeEnqueueInLanes: {
    keys: -1,
    lua: `${ENQUEUE_LUA}
local out = {}
for i = 0, #ARGV / 4 - 1 do
  local k, a = 5 + i * 4, i * 4
  local lane = ARGV[a + 4]
  if lane == '' then lane = redis.call('HGET', KEYS[4], ARGV[a + 3]) end
  local stream = KEYS[k]
  if lane == 'avr' then stream = KEYS[k + 1] elseif lane == 'arm' then stream = KEYS[k + 2] end
  local ok, id = pcall(enqueue, stream, KEYS[1], KEYS[2], KEYS[3], KEYS[k + 3], ARGV[a + 1], ARGV[a + 2])
  if not ok then
    out[i + 1] = type(id) == 'table' and tostring(id.err) or tostring(id)
  elseif id then
    out[i + 1] = 1
  else
    out[i + 1] = 0
  end
end
return out`,
  },
  // With a grant (ARGV[7], lease-grant.ts), the lease's record is due in the store at ARGV[8] (ms).
  // KEYS: lease, leases, waiting, since, unsaved  ARGV: job, lease_id, agent_id, expires_ms, entry, stream,
  // grant ('' when none), due_ms
  qeStart: {
    keys: 5,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'lease_id', ARGV[2], 'agent_id', ARGV[3], 'expires_ms', ARGV[4],
  'entry', ARGV[5], 'stream', ARGV[6])
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[1], 'grant', ARGV[7])
  redis.call('ZADD', KEYS[5], ARGV[8], ARGV[1])
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return 1`,
  },
  // Drops a delivered entry and the lease; with ARGV[3] = '1' the job goes to the back of stream KEYS[7].
  // KEYS: old stream, lease, leases, waiting, since, streams, new stream, unsaved
  // ARGV: job, entry, requeue, enqueued_ms
  qeSettle: {
    keys: 8,
    lua: `${ENQUEUE_LUA}${SETTLE_LUA}
return settle(KEYS[8])`,
  },
  // qeSettle, then the job's lock released when ARGV[5] holds it: a transition's last two round trips in one.
  // KEYS: as qeSettle up to new stream, then lock, unsaved  ARGV: as qeSettle, then token
  qeSettleUnlock: {
    keys: 9,
    lua: `${ENQUEUE_LUA}${SETTLE_LUA}
local settled = settle(KEYS[9])
if redis.call('GET', KEYS[8]) == ARGV[5] then redis.call('DEL', KEYS[8]) end
return settled`,
  },
} satisfies Record<string, Script>;

// Every script of the dispatcher (this file's, lock-scripts.ts' and lease-scripts.ts'), on this connection.
export function defineScripts(redis: Redis): void {
  defineScriptTable(redis, SCRIPTS);
  defineScriptTable(redis, LOCK_SCRIPTS);
  defineScriptTable(redis, LEASE_SCRIPTS);
  defineScriptTable(redis, QUEUE_POSITION_SCRIPTS);
}

const run = (redis: Redis, name: keyof typeof SCRIPTS, args: (string | number)[]) =>
  runScript(redis, name, args);

export async function enqueueJob(
  redis: Redis,
  keys: RedisKeys,
  stream: string,
  jobId: string,
  enqueuedMs: number,
): Promise<void> {
  await run(redis, "qeEnqueue", [
    stream,
    keys.waiting,
    keys.waitingSince,
    keys.streams,
    keys.lease(jobId),
    jobId,
    enqueuedMs,
  ]);
}

// New jobs into their lanes' streams, in one command: per job, null when it is enqueued (or already was
// waiting or leased), else the Redis error that refused it.
export async function enqueueInLanes(
  redis: Redis,
  keys: RedisKeys,
  records: JobRecord[],
): Promise<(Error | null)[]> {
  const jobKeys = records.flatMap((r) => [
    keys.stream(r.firmware_version, "any"),
    keys.stream(r.firmware_version, "avr"),
    keys.stream(r.firmware_version, "arm"),
    keys.lease(r.id),
  ]);
  const args = records.flatMap((r) => [
    r.id,
    Date.parse(r.enqueued_at),
    r.request.keyboard,
    r.toolchain ?? "",
  ]);
  const replies = (await run(redis, "qeEnqueueInLanes", [
    4 + jobKeys.length,
    keys.waiting,
    keys.waitingSince,
    keys.streams,
    keys.keyboardToolchains,
    ...jobKeys,
    ...args,
  ])) as (number | string)[];
  return records.map((_, i) => {
    const reply = replies[i];
    return typeof reply === "string" ? new Error(`enqueue refused by Redis: ${reply}`) : null;
  });
}

// False when the job already has a lease (a duplicate entry lost). A lease with a grant has its record due in
// the store at `recordDueMs`.
export async function recordLease(
  redis: Redis,
  keys: RedisKeys,
  jobId: string,
  lease: LeaseRow,
  recordDueMs = 0,
): Promise<boolean> {
  const started = await run(redis, "qeStart", [
    keys.lease(jobId),
    keys.leases,
    keys.waiting,
    keys.waitingSince,
    keys.unsaved,
    jobId,
    lease.leaseId,
    lease.agentId,
    lease.expiresMs,
    lease.entry,
    lease.stream,
    lease.grant,
    recordDueMs,
  ]);
  return started === 1;
}

// Drops the entry and the lease; with `requeue`, the job goes to the back of its lane's queue.
export async function settle(
  redis: Redis,
  keys: RedisKeys,
  jobId: string,
  lease: LeaseRow,
  requeue: JobRecord | null,
): Promise<void> {
  const lane = requeue ? await laneOf(redis, keys, requeue) : lease.stream;
  await run(redis, "qeSettle", [
    lease.stream,
    keys.lease(jobId),
    keys.leases,
    keys.waiting,
    keys.waitingSince,
    keys.streams,
    lane,
    keys.unsaved,
    jobId,
    lease.entry,
    requeue ? "1" : "0",
    requeue ? Date.parse(requeue.enqueued_at) : 0,
  ]);
}

// settle(), then the lock `lockKey` released if `token` holds it, in one round trip.
export async function settleAndUnlock(
  redis: Redis,
  keys: RedisKeys,
  jobId: string,
  lease: LeaseRow,
  lock: { key: string; token: string },
): Promise<void> {
  await run(redis, "qeSettleUnlock", [
    lease.stream,
    keys.lease(jobId),
    keys.leases,
    keys.waiting,
    keys.waitingSince,
    keys.streams,
    lease.stream,
    lock.key,
    keys.unsaved,
    jobId,
    lease.entry,
    "0",
    0,
    lock.token,
  ]);
}
