import { opendir } from "node:fs/promises";
import { join } from "node:path";
import { parseDefaultFolder, readText } from "../tree/keyboard-folder.ts";

// Which folders of keyboards/ are keyboards, by QMK's own rule. QMK 2026 (qmk.keyboard.list_keyboards)
// lists every folder outside keymaps/ that holds a keyboard.json; older trees (2024) also had keyboards
// made of info.json + rules.mk, and parents whose rules.mk names a DEFAULT_FOLDER. So: a keyboard.json
// folder is a keyboard; a DEFAULT_FOLDER parent is an alias of its default, not a keyboard; an
// info.json + rules.mk folder is a keyboard only when no keyboard lies below it (otherwise it holds what
// its variants share, as bastardkb/charybdis/3x5 does for its blackpill and elitec builds). On the 2026
// tree this is exactly `qmk list-keyboards` (3,750). Whether a listed folder builds (it has a processor)
// is the caller's to find out. The walk holds one directory open at a time.

export interface KeyboardFolders {
  keyboards: string[]; // sorted
  defaultFolders: Map<string, string>; // folder with DEFAULT_FOLDER -> the keyboard it resolves to
  skipped: Array<{ folder: string; reason: string }>;
}

const MAX_DEPTH = 8; // QMK nests keyboards at most 5 levels; anything deeper is not a keyboard
const MAX_HOPS = 8;

interface Candidate {
  folder: string;
  rules: boolean;
  keyboardJson: boolean;
  infoJson: boolean;
}

async function markers(dir: string): Promise<Omit<Candidate, "folder"> & { subdirs: string[] }> {
  const subdirs: string[] = [];
  const m = { rules: false, keyboardJson: false, infoJson: false };
  // opendir streams entries and closes itself at the end of the loop (or on an error).
  for await (const e of await opendir(dir)) {
    if (e.isDirectory()) subdirs.push(e.name);
    else if (e.isFile() && e.name === "rules.mk") m.rules = true;
    else if (e.isFile() && e.name === "keyboard.json") m.keyboardJson = true;
    else if (e.isFile() && e.name === "info.json") m.infoJson = true;
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
  const keyboards = new Set<string>();
  const defaultFolders = new Map<string, string>();
  const skipped: KeyboardFolders["skipped"] = [];
  const found = await candidates(root);
  const withKeyboardJson = found.filter((c) => c.keyboardJson).map((c) => c.folder);
  const hasKeyboardBelow = (folder: string) => withKeyboardJson.some((f) => f.startsWith(`${folder}/`));
  for (const c of found) {
    const resolved = c.rules ? await resolveDefault(root, c.folder) : c.folder;
    if (typeof resolved !== "string") skipped.push({ folder: c.folder, reason: resolved.reason });
    else if (resolved !== c.folder) defaultFolders.set(c.folder, resolved);
    else if (c.keyboardJson) keyboards.add(c.folder);
    else if (!c.infoJson)
      skipped.push({ folder: c.folder, reason: "a rules.mk without keyboard.json or info.json" });
    else if (hasKeyboardBelow(c.folder))
      skipped.push({ folder: c.folder, reason: "the shared parent of keyboards below it" });
    else keyboards.add(c.folder);
  }
  // A DEFAULT_FOLDER leads to a keyboard whether or not that folder was found on its own.
  for (const target of defaultFolders.values()) keyboards.add(target);
  return { keyboards: [...keyboards].sort(), defaultFolders, skipped };
}
