// The dispatcher benchmark on both runtimes, 1, 10 and 50 agents each: Node + Redis (the API in its own
// process), and local workerd (wrangler dev) with the sharded Durable Object dispatcher.

import { createHash } from "node:crypto";
import { join } from "node:path";
import { makeTempDir, removeDir } from "@qmk-edge/test/servers/daemon.ts";
import { startRedis } from "@qmk-edge/test/servers/redis.ts";
import { startEdgeApi } from "@qmk-edge/test/support/system.ts";
import { drain, groupCpuMicros } from "./dispatcher.bench.ts";
import { BENCH_AGENT_TOKEN, startApiProcess } from "./node-cpu.bench.ts";

const FLEETS = (process.env.BENCH_FLEETS ?? "1,10,50").split(",").map(Number);
const say = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

export async function benchDispatcherNode(jobsFor: (agents: number) => number) {
  const redis = await startRedis();
  const api = await startApiProcess(redis.url);
  try {
    const target = {
      url: api.url,
      token: BENCH_AGENT_TOKEN,
      firmwareVersion: "demo-1",
      cpuMicros: api.cpuMicros,
      profile: api.profile,
    };
    const runs = [];
    for (const agents of FLEETS) {
      say(`dispatcher, node + redis: ${agents} agent(s) ...`);
      runs.push(await drain(target, agents, jobsFor(agents)));
    }
    return runs;
  } finally {
    await api.stop();
    await redis.stop();
  }
}

export async function benchDispatcherWorkers(
  jobsFor: (agents: number) => number,
  shards: number,
  fleets: number[] = FLEETS,
) {
  const dir = makeTempDir("bench-workerd");
  const api = await startEdgeApi({
    persistDir: join(dir, "state"),
    logFile: join(dir, "wrangler.log"),
    vars: {
      RATE_LIMIT_PER_MINUTE: "1000000000",
      DISPATCHER_SHARDS: String(shards),
      AGENT_TOKEN_HASHES: createHash("sha256").update(BENCH_AGENT_TOKEN).digest("hex"),
    },
  });
  try {
    const target = {
      url: api.url,
      token: BENCH_AGENT_TOKEN,
      firmwareVersion: "demo-1",
      cpuMicros: async () => groupCpuMicros(api.daemon.pid),
    };
    const runs = [];
    for (const agents of fleets) {
      say(`dispatcher, workerd with ${shards} shard(s): ${agents} agent(s) ...`);
      runs.push(await drain(target, agents, jobsFor(agents)));
    }
    return { shards, runs };
  } finally {
    await api.stop();
    removeDir(dir);
  }
}

if (import.meta.main) {
  const scale = Number(process.env.BENCH_DISPATCH_SCALE ?? 1);
  const only = process.env.BENCH_DISPATCH_ONLY;
  const out: Record<string, unknown> = {};
  if (only !== "workers")
    out.node = await benchDispatcherNode((a) => Math.round(scale * (a === 1 ? 200 : a === 10 ? 800 : 2000)));
  if (only !== "node")
    out.workers = await benchDispatcherWorkers(
      (a) => Math.round(scale * (a === 1 ? 100 : a === 10 ? 400 : 1000)),
      Number(process.env.BENCH_SHARDS ?? 4),
    );
  console.log(JSON.stringify(out, null, 2));
}
