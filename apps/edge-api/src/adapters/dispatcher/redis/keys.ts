// Keys of the Redis Dispatcher (prefix default "qmk-edge:"; a hash tag such as "{qmk-edge}:" keeps them in one
// Redis Cluster slot):
//   stream:<version>:<lane>  the queue: one stream per firmware version and toolchain lane (`any`, `avr`,
//                            `arm`), consumer group "agents", entries { job: <id> }. A job goes to the lane of
//                            its toolchain when known (from the record, or learned from an earlier build of the
//                            keyboard), else `any`. An agent reads `any` plus its own toolchains' lanes of its
//                            version, oldest entry first, so no entry is ever handed back for a mismatch.
//   streams                  set of every stream key (the reaper walks them)
//   waiting                  zset job id -> stream order: queue positions
//   waiting-since            zset job id -> enqueued_at (ms): queue length and the oldest queued job
//   lease:<job id>           hash lease_id, agent_id, expires_ms, entry, stream: the lease of a running job; and
//                            grant, while its running record may not be in the store yet (lease-grant.ts)
//   leases                   zset job id -> lease expiry (ms): what the reaper looks at
//   unsaved                  zset job id -> when its lease's record is due in the store (ms): lease-records.ts
//   agents                   zset agent id -> last seen (ms)
//   agents:<version>         the same, for agents asking for (or building) jobs of that firmware version
//   agent-version            hash agent id -> the firmware version it last announced (to forget it on goodbye)
//   keyboard-toolchains      hash keyboard -> toolchain, learned from finished builds
//   lock:<job id>            per-job mutex (token, 15 s expiry) held while a transition reads, changes and saves
//                            the job record, so two processes never interleave read-modify-writes of a record

export const GROUP = "agents";

export type RedisKeys = ReturnType<typeof redisKeys>;

export function redisKeys(prefix: string) {
  const key = (name: string) => `${prefix}${name}`;
  return {
    stream: (firmwareVersion: string, lane: string) => key(`stream:${firmwareVersion}:${lane}`),
    streams: key("streams"),
    waiting: key("waiting"),
    waitingSince: key("waiting-since"),
    lease: (jobId: string) => key(`lease:${jobId}`),
    leases: key("leases"),
    unsaved: key("unsaved"),
    agents: key("agents"),
    agentsFor: (firmwareVersion: string) => key(`agents:${firmwareVersion}`),
    agentVersion: key("agent-version"),
    keyboardToolchains: key("keyboard-toolchains"),
    lock: (jobId: string) => key(`lock:${jobId}`),
  };
}
