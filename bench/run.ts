// `npm run -s bench`: every benchmark, one run, ratios against baselines measured in that same run.
// Results go to bench/results/latest.json and a short table to stdout. Never part of pass/fail.
//   BENCH_KEYMAPS=10 BENCH_CLIENTS=200 BENCH_SECONDS=10 npm run -s bench
// With QMK_FIRMWARE=/path/to/qmk_firmware the compile benchmark also runs on that real tree (real-tree.bench.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSystem } from "@qmk-edge/test/support/system.ts";
import { benchApi } from "./api.bench.ts";
import { benchCompile } from "./compile.bench.ts";
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
];
const w = Math.max(...rows.map((r) => r[0].length));
console.log("compile baselines, each measured in this run:");
for (const line of Object.values(compile.baselines)) console.log(`  ${line}`);
console.log(rows.map(([k, v, n]) => `${k.padEnd(w)}  ${v.padStart(12)}  ${n}`).join("\n"));
console.log(`\nwritten to ${join("bench", "results", "latest.json")}`);
