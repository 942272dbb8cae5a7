import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeymapC, generateKeymapJson } from "@qmk-edge/keymap";
import type { PreparedJob } from "./prepare.ts";

// Stage "preparing", part 2: write the job's keymap.c (and keymap.json, for the source zip) into its own
// keymap directory of the warm tree.

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
  await writeFile(join(p.keymapDir, "keymap.json"), keymapJson);
  return { keymapC, keymapJson };
}
