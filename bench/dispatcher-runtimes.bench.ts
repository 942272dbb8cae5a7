// The dispatcher benchmark on both runtimes, 1, 10 and 50 agents each: Node + Redis (the API in its own
// process; and as API_PROCESSES=n, one per core unless BENCH_API_PROCESSES says, its CPU summed over the
// primary and every worker: node/api-processes.ts), and local workerd with the sharded Durable Object dispatcher: the deployed bundle run by Miniflare's
// API (workers/workerd.ts), producers and agents on the Worker's own socket (BENCH_WORKERD_VIA=entry: through
// Miniflare's entry worker); BENCH_WORKERS_HOST=wrangler-dev runs it through
// `wrangler dev` instead (its Node process and proxy workerd in front, ~5.5 ms of CPU per request more), to
// compare with figures taken that way before.

import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { startRedis } from "@qmk-edge/test/servers/redis.ts";
import { startEdgeApi } from "@qmk-edge/test/support/system.ts";
import { type DrainTarget, drain, groupCpuMicros } from "./dispatcher.bench.ts";
import { startApiProcesses } from "./node/api-processes.ts";
import { BENCH_AGENT_TOKEN, startApiProcess } from "./node-cpu.bench.ts";
import { benchTempDir } from "./temp-dirs.ts";
import { traceFsyncs } from "./workers/fsyncs.ts";
import { jsProfiler, perfRecorder } from "./workers/perf-record.ts";
import { groupCpuByName, startWorkerd } from "./workers/workerd.ts";

const FLEETS = (process.env.BENCH_FLEETS ?? "1,10,50").split(",").map(Number);
const say = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

// The drain at each fleet size against one Node API on its own Redis: `start` runs it as one process or as
// API_PROCESSES workers; the target is the same either way.
async function drainNodeApi(
  label: string,
  start: (
    redisUrl: string,
  ) => Promise<Omit<DrainTarget, "token" | "firmwareVersion"> & { stop(): Promise<void> }>,
  jobsFor: (agents: number) => number,
  fleets: number[],
) {
  const redis = await startRedis();
  const api = await start(redis.url);
  try {
    const target: DrainTarget = { ...api, token: BENCH_AGENT_TOKEN, firmwareVersion: "demo-1" };
    const runs = [];
    for (const agents of fleets) {
      say(`dispatcher, ${label}: ${agents} agent(s) ...`);
      runs.push(await drain(target, agents, jobsFor(agents)));
    }
    return runs;
  } finally {
    await api.stop();
    await redis.stop();
  }
}

export async function benchDispatcherNode(jobsFor: (agents: number) => number) {
  return await drainNodeApi("node + redis", (url) => startApiProcess(url), jobsFor, FLEETS);
}

// The API as an operator runs it on every core: API_PROCESSES=processes (src/node/cluster.ts).
export const BENCH_API_PROCESSES = Number(process.env.BENCH_API_PROCESSES ?? availableParallelism());

export async function benchDispatcherNodeProcesses(
  jobsFor: (agents: number) => number,
  processes: number = BENCH_API_PROCESSES,
  fleets: number[] = FLEETS,
) {
  const label = `node + redis, ${processes} API processes`;
  const runs = await drainNodeApi(label, (url) => startApiProcesses(url, processes), jobsFor, fleets);
  return { api_processes: processes, runs };
}

export async function benchDispatcherWorkers(
  jobsFor: (agents: number) => number,
  shards: number,
  fleets: number[] = FLEETS,
) {
  const vars = {
    RATE_LIMIT_PER_MINUTE: "1000000000",
    DISPATCHER_SHARDS: String(shards),
    AGENT_TOKEN_HASHES: createHash("sha256").update(BENCH_AGENT_TOKEN).digest("hex"),
  };
  const api = await startWorkersApi(vars);
  try {
    const target = {
      url: api.url,
      headers: api.clientHeaders,
      token: BENCH_AGENT_TOKEN,
      firmwareVersion: "demo-1",
      cpuMicros: api.cpuMicros,
      cpuByProcess: api.cpuByProcess,
      // BENCH_WORKERD_PERF=<file>: perf record of workerd over each drain (workers/perf-record.ts).
      ...(process.env.BENCH_WORKERD_PERF && api.pgid
        ? { profile: perfRecorder(api.pgid, process.env.BENCH_WORKERD_PERF) }
        : {}),
      // BENCH_WORKERD_JS_PROFILE=<dir> with BENCH_WORKERD_INSPECTOR_PORT: V8 profiles of every isolate over
      // the first BENCH_WORKERD_JS_PROFILE_SECONDS (8) of each drain (workers/js-profile.ts).
      ...(process.env.BENCH_WORKERD_JS_PROFILE && process.env.BENCH_WORKERD_INSPECTOR_PORT
        ? {
            profile: jsProfiler(
              Number(process.env.BENCH_WORKERD_INSPECTOR_PORT),
              process.env.BENCH_WORKERD_JS_PROFILE,
              Number(process.env.BENCH_WORKERD_JS_PROFILE_SECONDS ?? 8),
            ),
          }
        : {}),
    };
    const runs = [];
    for (const agents of fleets) {
      say(`dispatcher, workerd with ${shards} shard(s): ${agents} agent(s) ...`);
      // BENCH_WORKERD_FSYNCS=1: workerd's fsyncs per job by what they sync (workers/fsyncs.ts), fill included.
      const trace = process.env.BENCH_WORKERD_FSYNCS === "1" && api.pgid ? await traceFsyncs(api.pgid) : null;
      const run = await drain(target, agents, jobsFor(agents));
      runs.push(trace ? { ...run, workerd_fsyncs_per_job_traced: await trace.stop(run.jobs) } : run);
    }
    return { shards, host: api.host, runs };
  } finally {
    await api.stop();
  }
}

async function startWorkersApi(vars: Record<string, string>) {
  if (process.env.BENCH_WORKERS_HOST !== "wrangler-dev") {
    const workerd = await startWorkerd({
      vars: { ...vars, OPERATOR_TOKEN_HASHES: createHash("sha256").update("bench-operator").digest("hex") },
      inspectorPort: process.env.BENCH_WORKERD_INSPECTOR_PORT
        ? Number(process.env.BENCH_WORKERD_INSPECTOR_PORT)
        : undefined,
    });
    return { ...workerd, host: `miniflare, ${workerd.via}, state in ${workerd.state}`, pgid: workerd.pgid };
  }
  const dir = benchTempDir("bench-workerd");
  const api = await startEdgeApi({
    persistDir: join(dir, "state"),
    logFile: join(dir, "wrangler.log"),
    vars,
  });
  return {
    url: api.url,
    clientHeaders: {},
    host: "wrangler-dev",
    pgid: undefined,
    cpuMicros: async () => groupCpuMicros(api.daemon.pid),
    cpuByProcess: () => groupCpuByName(api.daemon.pid),
    stop: () => api.stop(),
  };
}

if (import.meta.main) {
  const scale = Number(process.env.BENCH_DISPATCH_SCALE ?? 1);
  const only = process.env.BENCH_DISPATCH_ONLY;
  const out: Record<string, unknown> = {};
  const nodeJobs = (a: number) => Math.round(scale * (a === 1 ? 200 : a === 10 ? 800 : 2000));
  // BENCH_NODE_ORDER=processes-first runs the n-process drain before the 1-process one (A/B, alternated).
  const processesFirst = process.env.BENCH_NODE_ORDER === "processes-first";
  if (only !== "workers" && processesFirst)
    out.node_api_processes = await benchDispatcherNodeProcesses(nodeJobs);
  if (only !== "workers") out.node = await benchDispatcherNode(nodeJobs);
  if (only !== "workers" && !processesFirst)
    out.node_api_processes = await benchDispatcherNodeProcesses(nodeJobs);
  if (only !== "node")
    out.workers = await benchDispatcherWorkers(
      (a) => Math.round(scale * (a === 1 ? 100 : a === 10 ? 400 : 1000)),
      Number(process.env.BENCH_SHARDS ?? 4),
    );
  console.log(JSON.stringify(out, null, 2));
}
