// `npm run -s bench`: every benchmark, one run, ratios against baselines measured in that same run.
// Results go to bench/results/latest.json and a short table to stdout. Never part of pass/fail.
//   BENCH_KEYMAPS=10 BENCH_CLIENTS=200 BENCH_SECONDS=10 npm run -s bench
// With QMK_FIRMWARE=/path/to/qmk_firmware the compile benchmark also runs on that real tree (real-tree.bench.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSystem } from "@qmk-edge/test/support/system.ts";
import { benchApi } from "./api.bench.ts";
import { benchCompile } from "./compile.bench.ts";
import {
  benchDispatcherNode,
  benchDispatcherNodeProcesses,
  benchDispatcherWorkers,
} from "./dispatcher-runtimes.bench.ts";
import { benchIdleAgents } from "./idle-agents.bench.ts";
import { benchNodeCpu } from "./node-cpu.bench.ts";
import { benchRealTree } from "./real-tree.bench.ts";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const say = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version };
const dir = join(import.meta.dirname, "results");
// Written after every phase, so a later phase that fails keeps what the earlier ones measured.
const save = () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
};

// Issue 20's figures first, before the compile phase: a POST creates a file, and on this disk (ext4 without a
// journal) a create passes, one by one, every inode deleted in the last 60 s (360 s while its inode-table block
// is dirty) in its block group, so right after the compile phase removed its trees a create cost up to 30
// times as much (node-cpu.bench.ts prints the cost of a create beside each POST's figure); workerd's simulated
// R2 and SQLite create files too. The bench's own folders are removed at exit (temp-dirs.ts).
say("node: CPU per request per route against a static JSON route ...");
const cpu = await benchNodeCpu({
  clients: env("BENCH_CPU_CLIENTS", 50),
  seconds: env("BENCH_CPU_SECONDS", 2),
});
results.node_cpu_per_request = cpu;
save();

// Issue 20: the dispatchers' throughput, idle agents.
const scale = env("BENCH_DISPATCH_SCALE", 1);
const nodeJobs = (agents: number) => Math.round(scale * (agents === 1 ? 200 : agents === 10 ? 800 : 2000));
const workerJobs = (agents: number) => Math.round(scale * (agents === 1 ? 50 : agents === 10 ? 200 : 500));
const dispatchNode = await benchDispatcherNode(nodeJobs);
results.dispatcher_node_redis = dispatchNode;
save();
// The same drain with one API process per core (API_PROCESSES, node/cluster.ts); the line above stays the baseline.
const dispatchNodeProcesses = await benchDispatcherNodeProcesses(nodeJobs);
results.dispatcher_node_redis_api_processes = dispatchNodeProcesses;
save();
const shards = env("BENCH_SHARDS", 4);
const dispatchWorkers = await benchDispatcherWorkers(workerJobs, shards);
const oneShard = await benchDispatcherWorkers(workerJobs, 1, [50]);
results.dispatcher_workerd = { sharded: dispatchWorkers, one_shard_baseline: oneShard };
save();
say("node: idle agents' Redis connections ...");
const idle = await benchIdleAgents(env("BENCH_IDLE_AGENTS", 3000));
results.idle_agents_node = idle;
save();

say("compile: fresh tree vs agent warm path vs warm tree ...");
const compile = await benchCompile({
  keymaps: env("BENCH_KEYMAPS", 10),
  keyboard: "handwired/edge_sixty",
  layout: "LAYOUT_60_ansi",
  keys: 61,
});
results.compile = compile;
save();

const realTree = process.env.QMK_FIRMWARE;
let real: Awaited<ReturnType<typeof benchRealTree>> | null = null;
if (realTree) {
  say(`compile, real tree ${realTree}: fresh tree vs agent warm path vs warm tree ...`);
  real = await benchRealTree(realTree, process.env);
  results.compile_real_tree = real;
  save();
}

say("api: starting the edge API in workerd and one agent ...");
const system = await startSystem("bench");
try {
  say("api: cache hits and status reads under load ...");
  results.api = await benchApi(system.api.url, {
    cacheHits: env("BENCH_CACHE_HITS", 200),
    clients: env("BENCH_CLIENTS", 200),
    seconds: env("BENCH_SECONDS", 10),
  });
} finally {
  await system.stop();
}

save();

const a = results.api as Awaited<ReturnType<typeof benchApi>>;
const ms = (s: { total_ms: number } | null) => (s ? String(s.total_ms) : "not run");
// A POST's row also says what creating a file cost on the API's disk in that run (node-cpu.bench.ts).
const route = (
  name: string,
  r: { cpu_ms_per_request: number; ratio_vs_floor?: number; file_create_us?: number },
  target = "",
) =>
  [
    `node CPU ms/request: ${name}`,
    `${r.cpu_ms_per_request}${r.ratio_vs_floor === undefined ? "" : ` (${r.ratio_vs_floor}x)`}`,
    `${target}${r.file_create_us === undefined ? "" : `; a file create ${r.file_create_us} µs`}`,
  ] as [string, string, string];
const drainRow = (label: string, r: (typeof dispatchNode)[number], target = "") =>
  [
    `${label}, ${r.agents} agent(s): jobs/s`,
    // The whole run (the agents' goodbye, which ends their last polls, included), then up to the last completion.
    `${r.jobs_per_s} (${r.jobs_per_s_to_last_complete} to the last completion)`,
    `lease p50 ${r.lease_p50_ms} ms, complete p50 ${r.complete_p50_ms} ms, API CPU ${r.api_cpu_ms_per_job} ms/job ${target}`,
  ] as [string, string, string];
const rows: Array<[string, string, string]> = [
  ["compile: fresh-tree make, total ms", String(compile.fresh_tree_make.total_ms), "baseline a"],
  ["compile: agent warm path, total ms", String(compile.agent_warm_path.total_ms), "b"],
  ["compile: warm tree, same keymap dir, total ms", ms(compile.warm_tree_same_keymap_dir), "baseline c1"],
  ["compile: warm tree, ccache on, total ms", ms(compile.warm_tree_ccache), "baseline c2"],
  ["compile: b/a", String(compile.ratio_agent_vs_fresh), "target <= 0.2"],
  [
    `compile: b/c (c = ${compile.warm_tree_make.baseline}, the faster)`,
    String(compile.ratio_agent_vs_warm_make),
    "target <= 1.05",
  ],
  ...(real
    ? ([
        [
          `real tree ${real.keyboard}: fresh-tree make, total ms`,
          String(real.fresh_tree_make.total_ms),
          "baseline a",
        ],
        ["real tree: agent warm path, total ms", String(real.agent_warm_path.total_ms), "b"],
        [
          "real tree: warm tree, same keymap dir, total ms",
          ms(real.warm_tree_same_keymap_dir),
          "baseline c1",
        ],
        ["real tree: warm tree, ccache on, total ms", ms(real.warm_tree_ccache), "baseline c2"],
        ["real tree: b/a", String(real.ratio_agent_vs_fresh), "target <= 0.2"],
        [
          `real tree: b/c (c = ${real.warm_tree_make.baseline}, the faster)`,
          String(real.ratio_agent_vs_warm_make),
          "target <= 1.05",
        ],
      ] as Array<[string, string, string]>)
    : []),
  [
    "cache hit POST->finished p50 / p99 ms",
    `${a.cache_hit.p50_ms} / ${a.cache_hit.p99_ms}`,
    "target p99 < 50",
  ],
  ["cache hit p50 / GET /v1 p50", String(a.cache_hit.ratio_p50_vs_get_v1), "baseline GET /v1"],
  [
    `status reads (${a.status_reads.clients} clients) req/s`,
    String(a.status_reads.requests_per_s),
    `errors ${a.status_reads.errors}`,
  ],
  ["status reads p50 / p99 ms", `${a.status_reads.p50_ms} / ${a.status_reads.p99_ms}`, ""],
  ["status req/s / GET /v1 req/s", String(a.status_reads.ratio_rps_vs_get_v1), "baseline GET /v1"],
  route("static JSON (floor)", cpu.floor_static_json, "baseline"),
  route("GET /v1", cpu.get_v1!),
  route("GET /v1/compile/:id, finished job", cpu.status_read!, "target <= 0.15 ms, <= 2x"),
  route("GET /v1/compile/:id, queued job", cpu.status_read_queued!, "target <= 0.15 ms, <= 2x"),
  route("POST /v1/compile, cache hit", cpu.post_cache_hit!, "target <= 0.3 ms, <= 4x"),
  route("POST /v1/compile, new job", cpu.post_new_job!, "target <= 0.5 ms, <= 6x"),
  ...dispatchNode.map((r) =>
    drainRow("node + redis, 1 API process", r, r.agents === 50 ? "(target >= 600 jobs/s)" : ""),
  ),
  ...dispatchNodeProcesses.runs.map((r) =>
    drainRow(
      `node + redis, ${dispatchNodeProcesses.api_processes} API processes`,
      r,
      r.agents === 50 ? "(target >= 600 jobs/s)" : "",
    ),
  ),
  ...dispatchWorkers.runs.map((r) =>
    drainRow(
      `workerd, ${shards} shards`,
      r,
      r.agents === 50 ? `(target >= 200 jobs/s; ${dispatchWorkers.host})` : "",
    ),
  ),
  ...oneShard.runs.map((r) => drainRow("workerd, 1 shard (baseline)", r)),
  [
    `node: ${idle.idle_agents} idle agents (${idle.agents_waiting} seen waiting)`,
    `${idle.api_redis_connections}`,
    "Redis connections of the API process",
  ],
];
const w = Math.max(...rows.map((r) => r[0].length));
console.log("compile baselines, each measured in this run:");
for (const line of Object.values(compile.baselines)) console.log(`  ${line}`);
console.log(rows.map(([k, v, n]) => `${k.padEnd(w)}  ${v.padStart(12)}  ${n}`).join("\n"));
console.log(`\nwritten to ${join("bench", "results", "latest.json")}`);
