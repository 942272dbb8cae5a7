// Cold vs warm build time of one keymap, with and without ccache, on the demo tree through the real job
// runner (prepare + make + package). Prints a table and the warm/cold ratios measured in this run.
//   node scripts/bootstrap.mjs exec node bench/build-times.ts [runs]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runJob } from "@qmk-edge/build-agent/src/job/run-job.ts";
import { userKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { benchBuildContext, benchJob } from "./agent-build.ts";

const runs = Number(process.argv[2] ?? 5);
const boards = [
  ["handwired/edge_pad", "LAYOUT_ortho_4x4", 16, "avr"],
  ["handwired/edge_split", "LAYOUT_split_3x5_3", 36, "arm"],
  ["handwired/edge_sixty", "LAYOUT_60_ansi", 61, "arm"],
] as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(board: (typeof boards)[number], ccache: "auto" | "off") {
  const [keyboard, layout, keys] = board;
  const cold: number[] = [];
  const warm: number[] = [];
  for (let r = 0; r < runs; r++) {
    // A fresh work dir: empty ccache, nothing built before.
    const workDir = await mkdtemp(join(tmpdir(), "qe-bench-"));
    try {
      const ctx = await benchBuildContext(workDir, ccache);
      const time = async (n: number) => {
        const out = await runJob(benchJob(userKeymap(keyboard, layout, keys, 2 + n, `bench${n}`), ctx), ctx);
        if (out.kind !== "done" || out.result.status !== "finished")
          throw new Error(`bench build failed: ${JSON.stringify(out)}`);
        return out.result.timings.compile_ms!;
      };
      cold.push(await time(0));
      // Another keymap of the same keyboard: only the keymap object differs.
      warm.push(await time(1));
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
  return { cold: median(cold), warm: median(warm) };
}

console.log(`compile stage (make) median of ${runs} runs, make -j2, ms`);
console.log("keyboard               toolchain  ccache  cold   warm   warm/cold");
for (const board of boards) {
  for (const ccache of ["off", "auto"] as const) {
    const { cold, warm } = await measure(board, ccache);
    console.log(
      `${board[0].padEnd(22)} ${board[3].padEnd(10)} ${(ccache === "auto" ? "on" : "off").padEnd(7)} ${String(cold).padEnd(6)} ${String(warm).padEnd(6)} ${(warm / cold).toFixed(2)}`,
    );
  }
}
