// Compile benchmark: N distinct keymaps of one keyboard, three ways, measured in this run, on the demo tree
// or (QMK_FIRMWARE=/path, see run.ts) a real qmk_firmware checkout.
//   (a) bare `make` in a fresh copy of the tree per keymap (a fresh-checkout worker, like qmk_compiler)
//   (b) the agent's warm path: runJob (prepare + keymap.c + make + source zip) on a warm tree with ccache
//   (c) bare `make` in one warm tree (the floor the agent can approach)
// Prints b/a (target <= 0.2) and b/c (target <= 1.05).
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

async function bareMake(tree: string, req: ParsedCompileRequest): Promise<void> {
  const dir = join(tree, "keyboards", req.keyboard, "keymaps", req.keymap);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "keymap.c"), generateKeymapC(req));
  await execa("make", ["-j2", `${req.keyboard}:${req.keymap}`], { cwd: tree, env: { CCACHE_DISABLE: "1" } });
}

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
    // One untimed build each, so (b) and (c) start warm as a long-running agent would be.
    await bareMake(warmTree, benchKeymap(opts.keyboard, opts.layout, opts.keys, 1000));
    await runJob(benchJob(benchKeymap(opts.keyboard, opts.layout, opts.keys, 1001), ctx), ctx);

    const fresh: number[] = [];
    const agent: number[] = [];
    const warm: number[] = [];
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
      const [, c] = await timed(() => bareMake(warmTree, req));
      fresh.push(a);
      agent.push(b);
      warm.push(c);
    }
    const sa = summarize(fresh);
    const sb = summarize(agent);
    const sc = summarize(warm);
    return {
      tree: source,
      keyboard: opts.keyboard,
      keymaps: opts.keymaps,
      fresh_tree_make: sa,
      agent_warm_path: sb,
      warm_tree_make: sc,
      ratio_agent_vs_fresh: round(sb.total_ms / sa.total_ms),
      ratio_agent_vs_warm_make: round(sb.total_ms / sc.total_ms),
      targets: { ratio_agent_vs_fresh: 0.2, ratio_agent_vs_warm_make: 1.05 },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
