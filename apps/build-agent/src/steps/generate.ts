import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeymapC, generateKeymapJson } from "@qmk-edge/keymap";
import type { PreparedJob } from "./prepare.ts";

// Stage "preparing", part 2: render the job's keymap.c, and (holding the build slot) write it as the only
// file of the slot's keymap dir. Only keymap.c: QMK builds a keymap dir's keymap.json itself and merges a
// keymap.c beside it into the result, so the two together define keymaps[] twice and fail. keymap.c is
// ours because it is rendered from the parsed request (no client text reaches C unchecked) and matches
// `qmk json2c` on real keymaps. The keymap.json is still made, for the keymap artifact and the source zip.

export interface GeneratedKeymap {
  keymapC: string;
  keymapJson: string;
}

export function renderKeymap(p: PreparedJob): GeneratedKeymap {
  return { keymapC: generateKeymapC(p.request), keymapJson: generateKeymapJson(p.request) };
}

export async function writeKeymapDir(p: PreparedJob, g: GeneratedKeymap): Promise<void> {
  // Whatever the slot's previous job left there goes; the dir holds this job's keymap.c alone.
  await rm(p.keymapDir, { recursive: true, force: true });
  await mkdir(p.keymapDir, { recursive: true });
  await writeFile(join(p.keymapDir, "keymap.c"), g.keymapC);
}
