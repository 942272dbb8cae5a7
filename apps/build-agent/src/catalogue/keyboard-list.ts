import { opendir } from "node:fs/promises";
import { join } from "node:path";
import { parseDefaultFolder, readText } from "../tree/keyboard-folder.ts";

// Which folders of keyboards/ are keyboards, by QMK's rule (qmk.keyboard.list_keyboards): every folder
// outside keymaps/ that holds a rules.mk or a keyboard.json, each resolved through its DEFAULT_FOLDER,
// duplicates dropped. A folder whose rules.mk names a DEFAULT_FOLDER is no keyboard of its own but an
// alias of its default. Whether a listed folder also builds (it has info, a processor) is the caller's
// to find out. The walk holds one directory open at a time: a real tree has ~4,000 keyboard folders.

export interface KeyboardFolders {
  keyboards: string[]; // sorted
  defaultFolders: Map<string, string>; // folder with DEFAULT_FOLDER -> the keyboard it resolves to
  skipped: Array<{ folder: string; reason: string }>;
}

const MAX_DEPTH = 8; // QMK nests keyboards at most 5 levels; anything deeper is not a keyboard
const MAX_HOPS = 8;

async function markers(dir: string): Promise<{ subdirs: string[]; rules: boolean; keyboardJson: boolean }> {
  const subdirs: string[] = [];
  let rules = false;
  let keyboardJson = false;
  // opendir streams entries and closes itself at the end of the loop (or on an error).
  for await (const e of await opendir(dir)) {
    if (e.isDirectory()) subdirs.push(e.name);
    else if (e.isFile() && e.name === "rules.mk") rules = true;
    else if (e.isFile() && e.name === "keyboard.json") keyboardJson = true;
  }
  subdirs.sort();
  return { subdirs, rules, keyboardJson };
}

async function candidates(root: string): Promise<Array<{ folder: string; rules: boolean }>> {
  const found: Array<{ folder: string; rules: boolean }> = [];
  const walk = async (dir: string, folder: string, depth: number): Promise<void> => {
    const m = await markers(dir);
    if (folder && (m.rules || m.keyboardJson)) found.push({ folder, rules: m.rules });
    if (depth >= MAX_DEPTH) return;
    for (const sub of m.subdirs) {
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
  for (const c of await candidates(root)) {
    const resolved = c.rules ? await resolveDefault(root, c.folder) : c.folder;
    if (typeof resolved !== "string") {
      skipped.push({ folder: c.folder, reason: resolved.reason });
      continue;
    }
    if (resolved !== c.folder) defaultFolders.set(c.folder, resolved);
    keyboards.add(resolved);
  }
  return { keyboards: [...keyboards].sort(), defaultFolders, skipped };
}
