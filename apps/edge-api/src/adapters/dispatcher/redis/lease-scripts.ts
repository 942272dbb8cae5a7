// The lease's scripts: a lease's first round trip (qeTouchTakeLock): the agent seen, the oldest undelivered
// entry of its lanes delivered to it, and that job's lock taken; a heartbeat's last (qeBeatUnlock): the lease extended, its entry's idle time reset, the agent seen, the lock released.
import type { Redis } from "ioredis";
import { AGENT_MEMORY_MS, forgetAgentsSeenBefore } from "../../../jobs/agent-memory.ts";
import { GROUP, type RedisKeys } from "./keys.ts";
import type { LeaseRow } from "./lease-row.ts";
import { runScript, type Script } from "./script-runner.ts";

// An agent seen (agents.ts reads it): seen now overall and for its firmware version, both forgetting agents not
// seen for AGENT_MEMORY_MS, and the version it announced.
// KEYS[1..3]: agents, agents:<version>, agent-version  ARGV[1..5]: agent, version, seen_ms, forget_before_ms,
// memory_ms
const TOUCH_LUA = `
local function touch()
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
end
`;

export const LEASE_SCRIPTS = {
  // TOUCH_LUA, then the oldest undelivered entry across the streams KEYS[4..] delivered to the agent (its
  // consumer name is its id; a stream without the group gets it back), then the lock lock:<job> (ARGV[6] .. job) taken with token ARGV[7] for ARGV[8]
  // ms if free. KEYS, ARGV: as TOUCH_LUA, then streams; lock prefix, token, ttl_ms
  // -> { stream, entry id, fields, 1 when locked else 0 } or nil
  qeTouchTakeLock: {
    keys: -1,
    lua: `${TOUCH_LUA}
touch()
local function older(a, b)
  local am, as = string.match(a, '(%d+)-(%d+)')
  local bm, bs = string.match(b, '(%d+)-(%d+)')
  am, bm = tonumber(am), tonumber(bm)
  return am < bm or (am == bm and tonumber(as) < tonumber(bs))
end
local best, bestKey
for i = 4, #KEYS do
  local key = KEYS[i]
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', key)
  if ok then
    local last
    for _, g in ipairs(groups) do
      local name, delivered
      for j = 1, #g, 2 do
        if g[j] == 'name' then name = g[j + 1] elseif g[j] == 'last-delivered-id' then delivered = g[j + 1] end
      end
      if name == '${GROUP}' then last = delivered end
    end
    -- A stream without the group (it was destroyed): created again, from the stream's first entry.
    if not last then
      redis.call('XGROUP', 'CREATE', key, '${GROUP}', '0')
      last = '0-0'
    end
    local nxt = redis.call('XRANGE', key, '(' .. last, '+', 'COUNT', 1)
    if #nxt > 0 and (best == nil or older(nxt[1][1], best)) then best, bestKey = nxt[1][1], key end
  end
end
if not best then return false end
local r = redis.call('XREADGROUP', 'GROUP', '${GROUP}', ARGV[1], 'COUNT', 1, 'STREAMS', bestKey, '>')
if not r then return false end
local entry = r[1][2][1]
local job
for j = 1, #entry[2], 2 do if entry[2][j] == 'job' then job = entry[2][j + 1] end end
local locked = 0
if job and redis.call('SET', ARGV[6] .. job, ARGV[7], 'NX', 'PX', ARGV[8]) then locked = 1 end
return { bestKey, entry[1], entry[2], locked }`,
  },
  // TOUCH_LUA, after the lease KEYS[4] (still ARGV[7]'s) gets expiry ARGV[8] (also in leases KEYS[5]) and its
  // entry ARGV[9] in stream KEYS[6] is claimed again by the agent ARGV[1] (idle time 0: the orphan scan passes
  // it by; a lease the reconciler restored has no entry); then the lock KEYS[7] released if token ARGV[10]
  // holds it, extended or not. KEYS, ARGV: as TOUCH_LUA, then lease, leases, stream, lock; job, lease_id,
  // expires_ms, entry, token  -> 1, or 0 when ARGV[7] no longer holds the job
  qeBeatUnlock: {
    keys: 7,
    lua: `${TOUCH_LUA}
local extended = 0
if redis.call('HGET', KEYS[4], 'lease_id') == ARGV[7] then
  redis.call('HSET', KEYS[4], 'expires_ms', ARGV[8])
  redis.call('ZADD', KEYS[5], ARGV[8], ARGV[6])
  if ARGV[9] ~= '' then redis.call('XCLAIM', KEYS[6], '${GROUP}', ARGV[1], 0, ARGV[9], 'JUSTID') end
  touch()
  extended = 1
end
if redis.call('GET', KEYS[7]) == ARGV[10] then redis.call('DEL', KEYS[7]) end
return extended`,
  },
} satisfies Record<string, Script>;

const touchKeys = (keys: RedisKeys, firmwareVersion: string) => [
  keys.agents,
  keys.agentsFor(firmwareVersion),
  keys.agentVersion,
];

const touchArgs = (agentId: string, firmwareVersion: string, now: Date) => [
  agentId,
  firmwareVersion,
  now.getTime(),
  forgetAgentsSeenBefore(now),
  AGENT_MEMORY_MS,
];

export interface Taken {
  stream: string;
  id: string;
  fields: string[];
  // The job's lock is held with the token given.
  locked: boolean;
}

// The agent seen, then the oldest undelivered entry of `streams`, now pending with the agent as consumer, and
// its job's lock taken with `lock.token` when no one held it.
export async function touchTakeLock(
  redis: Redis,
  keys: RedisKeys,
  agent: { id: string; firmwareVersion: string; now: Date },
  streams: string[],
  lock: { token: string; ttlMs: number },
): Promise<Taken | null> {
  const keyList = [...touchKeys(keys, agent.firmwareVersion), ...streams];
  const reply = (await runScript(redis, "qeTouchTakeLock", [
    keyList.length,
    ...keyList,
    ...touchArgs(agent.id, agent.firmwareVersion, agent.now),
    keys.lock(""),
    lock.token,
    lock.ttlMs,
  ])) as [string, string, string[], number] | null;
  if (!reply) return null;
  return { stream: reply[0], id: reply[1], fields: reply[2], locked: reply[3] === 1 };
}

// A heartbeat's Redis side in one round trip (qeBeatUnlock): false when `lease` no longer holds the job.
export async function beatAndUnlock(
  redis: Redis,
  keys: RedisKeys,
  beat: { jobId: string; lease: LeaseRow; expiresMs: number; firmwareVersion: string; now: Date },
  lock: { key: string; token: string },
): Promise<boolean> {
  const { jobId, lease } = beat;
  const extended = await runScript(redis, "qeBeatUnlock", [
    ...touchKeys(keys, beat.firmwareVersion),
    keys.lease(jobId),
    keys.leases,
    lease.stream,
    lock.key,
    ...touchArgs(lease.agentId, beat.firmwareVersion, beat.now),
    jobId,
    lease.leaseId,
    beat.expiresMs,
    lease.entry,
    lock.token,
  ]);
  return extended === 1;
}
