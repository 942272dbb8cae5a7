import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  generateConfigH,
  generateKeymapC,
  generateKeymapH,
  generateKeymapJson,
  generateRulesMk,
} from "@qmk-edge/keymap";
import type { PreparedJob } from "./prepare.ts";

// Stage "preparing", part 2: render the job's keymap dir, and (holding the build slot) write it. keymap.c
// always; config.h and rules.mk when the request has `config` (or a converter), keymap.h when it has
// `keycodes`: the files QMK's generators make of those fields (builddefs/build_keyboard.mk), which QMK
// includes from a keymap dir just where it includes its generated ones (the keymap dir's config.h and
// rules.mk, then the generated ones, with nothing between). Never keymap.json: QMK builds a keymap dir's
// keymap.json itself and merges a keymap.c beside it into the result, so the two together define
// keymaps[] twice and fail. keymap.c is ours because it is rendered from the parsed request (no client
// text reaches C unchecked) and matches `qmk json2c` on real keymaps. The keymap.json is still made, for
// the keymap artifact and the source zip.

export interface GeneratedKeymap {
  keymapC: string;
  keymapJson: string;
  // Every file of the job's keymap dir by name, keymap.c included.
  files: Readonly<Record<string, string>>;
}

export function renderKeymap(p: PreparedJob, now: Date = new Date()): GeneratedKeymap {
  const { request } = p;
  const options = { year: now.getUTCFullYear() };
  const keymapC = generateKeymapC(request);
  const files: Record<string, string> = { "keymap.c": keymapC };
  if (request.config !== undefined || request.converter !== undefined) {
    files["config.h"] = generateConfigH(request, options);
    files["rules.mk"] = generateRulesMk(request, options);
  }
  if (request.keycodes !== undefined) files["keymap.h"] = generateKeymapH(request, options);
  return { keymapC, keymapJson: generateKeymapJson(request), files };
}

// The slot's keymap dir holds this job's files alone: a file the previous job wrote and this one does not
// goes (a job without `config` after one with it gets no stale config.h). A file whose bytes are already
// there is left alone, so its mtime stays older than the objects built from it and make does not rebuild
// them (QMK's generators skip an unchanged file the same way); a changed file is newer, and make rebuilds
// what includes it.
export async function writeKeymapDir(p: PreparedJob, g: GeneratedKeymap): Promise<void> {
  await mkdir(p.keymapDir, { recursive: true });
  for (const entry of await readdir(p.keymapDir, { withFileTypes: true })) {
    if (!(entry.isFile() && Object.hasOwn(g.files, entry.name))) {
      await rm(join(p.keymapDir, entry.name), { recursive: true, force: true });
    }
  }
  for (const [name, content] of Object.entries(g.files)) {
    const path = join(p.keymapDir, name);
    const old = await readFile(path, "utf8").catch(() => null);
    if (old !== content) await writeFile(path, content);
  }
}
