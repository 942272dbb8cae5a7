import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeymapC, generateKeymapJson } from "@qmk-edge/keymap";
import type { PreparedJob } from "./prepare.ts";

// Stage "preparing", part 2: write the job's keymap.c into its own keymap directory of the warm tree.
// Only keymap.c: QMK builds a keymap dir's keymap.json itself and merges a keymap.c beside it into the
// result, so the two together define keymaps[] twice and fail. keymap.c is ours because it is rendered
// from the parsed request (no client text reaches C unchecked) and matches `qmk json2c` on real
// keymaps. The keymap.json is still made, for the keymap artifact and the source zip (outside the dir).

export interface GeneratedKeymap {
  keymapC: string;
  keymapJson: string;
}

export async function generate(p: PreparedJob): Promise<GeneratedKeymap> {
  const keymapC = generateKeymapC(p.request);
  const keymapJson = generateKeymapJson(p.request);
  // A dir left by an earlier attempt of this same job (agent killed mid-build) is stale.
  await rm(p.keymapDir, { recursive: true, force: true });
  await mkdir(p.keymapDir, { recursive: true });
  await writeFile(join(p.keymapDir, "keymap.c"), keymapC);
  return { keymapC, keymapJson };
}
