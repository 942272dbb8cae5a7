// The compile benchmark on a real qmk_firmware checkout, when QMK_FIRMWARE=/path names one (the `qmk` CLI
// must be on PATH, as QMK's make calls it). The keyboard and layout default to an AVR board every tree
// since 2018 has; the key count comes from the tree's own info, as the agent reads it.
//   QMK_FIRMWARE=~/qmk_firmware BENCH_QMK_KEYBOARD=lily58/rev1 BENCH_QMK_KEYMAPS=3 npm run -s bench
import { readKeyboard } from "@qmk-edge/build-agent/src/tree/keyboard-info.ts";
import { benchCompile } from "./compile.bench.ts";

export async function benchRealTree(tree: string, env: NodeJS.ProcessEnv) {
  const keyboard = env.BENCH_QMK_KEYBOARD ?? "lily58/rev1";
  const layout = env.BENCH_QMK_LAYOUT ?? "LAYOUT";
  const info = (await readKeyboard(tree, keyboard)).info as {
    layouts?: Record<string, { layout?: unknown[] }>;
  };
  const keys = info.layouts?.[layout]?.layout?.length;
  if (!keys) throw new Error(`${keyboard} in ${tree} has no layout ${layout} (set BENCH_QMK_LAYOUT)`);
  return benchCompile({ tree, keyboard, layout, keys, keymaps: Number(env.BENCH_QMK_KEYMAPS ?? 3) });
}
