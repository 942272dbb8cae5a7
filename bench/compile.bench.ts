// Compile benchmark: N distinct keymaps of one keyboard, measured in this run, on the demo tree or
// (QMK_FIRMWARE=/path, see run.ts) a real qmk_firmware checkout.
//   (a) bare `make` in a fresh copy of the tree per keymap (a fresh-checkout worker, like qmk_compiler)
//   (b) the agent's warm path: runJob (prepare + keymap.c + make + source zip) on a warm tree with ccache
//   (c) what a maintainer does by hand to build fast in one warm tree, two ways, the faster one counting:
//       (c1) every keymap written over the same keymap dir, so make reuses that keymap's object dir
//            (QMK's object dir is per keymap) and recompiles only what changed; ccache off
//       (c2) each keymap in its own dir (a new object dir each time) with ccache on, warmed first
// Prints b/a (target <= 0.2) and b/c (target <= 1.05). A `make` with a new keymap dir and no ccache would
// rebuild everything, and b/c against it would hold by construction: that is baseline (a)'s cost, not (c)'s.
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { prepareCcache } from "@qmk-edge/build-agent/src/build/host.ts";
import { runJob } from "@qmk-edge/build-agent/src/job/run-job.ts";
import { generateKeymapC, type ParsedCompileRequest, parseCompileRequest } from "@qmk-edge/keymap";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { execa } from "execa";
import { benchBuildContext, benchJob } from "./agent-build.ts";
import { round, summarize, timed } from "./stats.ts";

const KEYCODES = ["KC_A", "KC_B", "KC_C", "LT(1, KC_SPC)", "LCTL_T(KC_Z)", "MO(1)", "KC_TRNS", "KC_ENT"];

export function benchKeymap(keyboard: string, layout: string, keys: number, i: number): ParsedCompileRequest {
  const parsed = parseCompileRequest({
    keyboard,
    keymap: `bench_${i}`,
    layout,
    layers: [0, 1].map((l) =>
      Array.from({ length: keys }, (_, k) => KEYCODES[(k * 3 + l + i) % KEYCODES.length]!),
    ),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

// The whole tree, its .git too, as a fresh checkout per job would have it; not its build output.
const copyTree = (from: string, to: string) =>
  cp(from, to, { recursive: true, filter: (p) => !p.includes("/.build") });

interface Ccache {
  bin: string; // ccache's masquerade dir, first on PATH, as /usr/lib/ccache is for a maintainer
  dir: string;
}

// `make <kb>:<km>` as a person runs it; `keymapName` puts the keymap under another dir name than its own.
async function bareMake(
  tree: string,
  req: ParsedCompileRequest,
  opts: { ccache?: Ccache; keymapName?: string } = {},
): Promise<void> {
  const keymap = opts.keymapName ?? req.keymap;
  const dir = join(tree, "keyboards", req.keyboard, "keymaps", keymap);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "keymap.c"), generateKeymapC(req));
  const env = opts.ccache
    ? { PATH: `${opts.ccache.bin}${delimiter}${process.env.PATH ?? ""}`, CCACHE_DIR: opts.ccache.dir }
    : { CCACHE_DISABLE: "1" };
  await execa("make", ["-j2", `${req.keyboard}:${keymap}`], { cwd: tree, env });
}

export const BASELINES = {
  fresh_tree_make: "a: `make` in a fresh copy of the tree per keymap, ccache off",
  agent_warm_path: "b: the agent's runJob on its warm tree and build slot, ccache on",
  warm_tree_same_keymap_dir:
    "c1: `make` in one warm tree, every keymap over one keymap dir (its object dir reused), ccache off",
  warm_tree_ccache:
    "c2: `make` in one warm tree, a keymap dir (and object dir) per keymap, ccache on and warmed",
} as const;

export async function benchCompile(opts: {
  keymaps: number;
  keyboard: string;
  layout: string;
  keys: number;
  tree?: string;
}) {
  const source = opts.tree ?? DEMO_TREE;
  const scratch = await mkdtemp(join(tmpdir(), "qe-bench-compile-"));
  try {
    const warmTree = join(scratch, "warm-tree");
    await copyTree(source, warmTree);
    const ctx = await benchBuildContext(join(scratch, "agent"), "auto", source);
    const ccache = await prepareCcache(join(scratch, "maintainer"), process.env.PATH ?? "/usr/bin:/bin");
    // One untimed build each, so (b) and (c) start warm as a long-running agent would be.
    await bareMake(warmTree, benchKeymap(opts.keyboard, opts.layout, opts.keys, 1000), {
      keymapName: "mine",
    });
    if (ccache)
      await bareMake(warmTree, benchKeymap(opts.keyboard, opts.layout, opts.keys, 1002), { ccache });
    await runJob(benchJob(benchKeymap(opts.keyboard, opts.layout, opts.keys, 1001), ctx), ctx);

    const fresh: number[] = [];
    const agent: number[] = [];
    const sameDir: number[] = [];
    const withCcache: number[] = [];
    for (let i = 0; i < opts.keymaps; i++) {
      const req = benchKeymap(opts.keyboard, opts.layout, opts.keys, i);
      const [, a] = await timed(async () => {
        const tree = join(scratch, `fresh-${i}`);
        await copyTree(source, tree);
        await bareMake(tree, req);
        await rm(tree, { recursive: true, force: true });
      });
      const [outcome, b] = await timed(() => runJob(benchJob(req, ctx), ctx));
      if (outcome.kind !== "done" || outcome.result.status !== "finished")
        throw new Error(`agent build ${i} failed`);
      const [, c1] = await timed(() => bareMake(warmTree, req, { keymapName: "mine" }));
      fresh.push(a);
      agent.push(b);
      sameDir.push(c1);
      if (ccache) withCcache.push((await timed(() => bareMake(warmTree, req, { ccache })))[1]);
    }
    const sa = summarize(fresh);
    const sb = summarize(agent);
    const sc1 = summarize(sameDir);
    const sc2 = ccache ? summarize(withCcache) : null;
    // The faster of the two ways a maintainer builds fast is the baseline b is held to.
    const sc = sc2 && sc2.total_ms < sc1.total_ms ? sc2 : sc1;
    return {
      tree: source,
      keyboard: opts.keyboard,
      keymaps: opts.keymaps,
      baselines: ccache
        ? BASELINES
        : { ...BASELINES, warm_tree_ccache: `${BASELINES.warm_tree_ccache}: not run, no ccache on PATH` },
      fresh_tree_make: sa,
      agent_warm_path: sb,
      warm_tree_same_keymap_dir: sc1,
      warm_tree_ccache: sc2,
      warm_tree_make: { ...sc, baseline: sc === sc1 ? "c1" : "c2" },
      ratio_agent_vs_fresh: round(sb.total_ms / sa.total_ms),
      ratio_agent_vs_warm_make: round(sb.total_ms / sc.total_ms),
      targets: { ratio_agent_vs_fresh: 0.2, ratio_agent_vs_warm_make: 1.05 },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
