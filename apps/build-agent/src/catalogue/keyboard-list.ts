import { opendir } from "node:fs/promises";
import { join } from "node:path";
import { parseDefaultFolder, readText } from "../tree/keyboard-folder.ts";
import { type ListRule, qmkListRule } from "../tree/qmk-list-rule.ts";

// Which folders of keyboards/ are keyboards: exactly what `qmk list-keyboards` of the same tree lists,
// by the rule of the tree's own QMK (tree/qmk-list-rule.ts). QMK 2026 lists every folder outside keymaps/
// that holds a keyboard.json; QMK of 2024 and before listed every folder holding a rules.mk, each taken
// through its DEFAULT_FOLDER (so a revision that is also the parent of others is listed, and so is a
// rules.mk-only folder that takes its layouts from its parents). A folder whose rules.mk names a
// DEFAULT_FOLDER is also an alias of the keyboard it leads to. Whether a listed keyboard builds is not
// asked here: the catalogue publishes every one with what can be known of it. The walk holds one
// directory open at a time.

export interface KeyboardFolders {
  keyboards: string[]; // sorted
  defaultFolders: Map<string, string>; // folder with DEFAULT_FOLDER -> the keyboard it resolves to
  skipped: Array<{ folder: string; reason: string }>;
  rule: ListRule;
}

const MAX_DEPTH = 8; // QMK nests keyboards at most 5 levels; anything deeper is not a keyboard
const MAX_HOPS = 8;

interface Candidate {
  folder: string;
  rules: boolean;
  keyboardJson: boolean;
}

async function markers(dir: string): Promise<Omit<Candidate, "folder"> & { subdirs: string[] }> {
  const subdirs: string[] = [];
  const m = { rules: false, keyboardJson: false };
  // opendir streams entries and closes itself at the end of the loop (or on an error). Python's glob,
  // which QMK lists with, passes over hidden folders.
  for await (const e of await opendir(dir)) {
    if (e.isDirectory() && !e.name.startsWith(".")) subdirs.push(e.name);
    else if (e.isFile() && e.name === "rules.mk") m.rules = true;
    else if (e.isFile() && e.name === "keyboard.json") m.keyboardJson = true;
  }
  subdirs.sort();
  return { ...m, subdirs };
}

async function candidates(root: string): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const walk = async (dir: string, folder: string, depth: number): Promise<void> => {
    const { subdirs, ...m } = await markers(dir);
    if (folder && (m.rules || m.keyboardJson)) found.push({ folder, ...m });
    if (depth >= MAX_DEPTH) return;
    for (const sub of subdirs) {
      if (sub === "keymaps") continue;
      await walk(join(dir, sub), folder ? `${folder}/${sub}` : sub, depth + 1);
    }
  };
  await walk(join(root, "keyboards"), "", 0);
  return found;
}

// The DEFAULT_FOLDER chain of a folder (QMK's resolve_keyboard), or a reason it cannot be followed.
async function resolveDefault(root: string, folder: string): Promise<string | { reason: string }> {
  let name = folder;
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const rules = await readText(join(root, "keyboards", name, "rules.mk"));
    const next = rules === null ? null : parseDefaultFolder(rules);
    if (next === null || next === name) return name;
    if (next.split("/").some((s) => s === ".." || s === "." || s === "")) {
      return { reason: `DEFAULT_FOLDER of keyboards/${name} is "${next.slice(0, 80)}"` };
    }
    name = next;
  }
  return { reason: `DEFAULT_FOLDER of keyboards/${folder} loops` };
}

export async function listKeyboardFolders(root: string): Promise<KeyboardFolders> {
  const rule = await qmkListRule(root);
  const keyboards = new Set<string>();
  const defaultFolders = new Map<string, string>();
  const skipped: KeyboardFolders["skipped"] = [];
  for (const c of await candidates(root)) {
    const resolved = c.rules ? await resolveDefault(root, c.folder) : c.folder;
    if (typeof resolved !== "string") {
      skipped.push({ folder: c.folder, reason: resolved.reason });
      continue;
    }
    if (resolved !== c.folder) defaultFolders.set(c.folder, resolved);
    const marked =
      (c.rules && rule.markers.includes("rules.mk")) ||
      (c.keyboardJson && rule.markers.includes("keyboard.json"));
    if (!marked) {
      if (resolved === c.folder)
        skipped.push({
          folder: c.folder,
          reason: `QMK of this tree lists folders with ${rule.markers.join(" or ")}`,
        });
      continue;
    }
    keyboards.add(rule.resolveDefaults ? resolved : c.folder);
  }
  return { keyboards: [...keyboards].sort(), defaultFolders, skipped, rule };
}
