import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  keycodeAliasPairs,
  keycodeNamesFromQmkSources,
  qmkKeycodeRenames,
  rgbMatrixRenames,
} from "@qmk-edge/keymap";
import type { FirmwareTree } from "./firmware-tree.ts";

// The keycode names a firmware tree defines, so a job's keymap is checked before make (an unknown name
// fails with its key's path, not as a gcc error minutes later) and renamed legacy names are translated.
// Read where QMK keeps them: quantum/**/*.h (keycodes.h, which QMK generates from its hjson records and
// commits, quantum_keycodes.h with LT/MO/..., send_string_keycodes.h with the X_ names, the legacy
// headers; of keymap_extras only what those include) and data/constants/keycodes/*.hjson. A tree without quantum/keycodes.h is not checked (null):
// the agent then behaves as before and the compiler is the only judge.

export interface TreeKeycodes {
  names: ReadonlySet<string>;
  // Legacy name -> the name this tree defines for it, only where the old name is gone and the new one is
  // defined (packages/keymap qmk-keycode-renames.ts: the tree's keycode hjson history, then the legacy
  // table): what translateKeycodes will translate.
  renames: ReadonlyMap<string, string>;
  // On a board lit by RGB Matrix only, the renames that land on underglow keys land on RGB Matrix keys
  // instead (RGB_TOG -> RM_TOGG), as QMK moved those boards' keymaps (tree/lighting-renames.ts).
  rgbMatrixRenames: ReadonlyMap<string, string>;
  files: number; // headers and hjson files read
}

export const KEYCODES_HEADER = "quantum/keycodes.h";
const KEYCODES_HJSON_DIR = "data/constants/keycodes";
// Language headers define their names only for keymaps that include them; json2c never does. Except
// the ones quantum's own headers include: quantum_keycodes.h includes keymap_us.h (KC_AMPR, KC_TILD, ...)
// for every keymap.
const EXTRAS_DIR = "keymap_extras";

async function headersUnder(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory() && e.name !== EXTRAS_DIR) await headersUnder(path, out);
    else if (e.isFile() && e.name.endsWith(".h")) out.push(path);
  }
}

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm;

// Files of quantum/keymap_extras that `headers` include, and the ones those include, by file name.
async function includedExtras(treeRoot: string, headers: string[]): Promise<string[]> {
  const dir = join(treeRoot, "quantum", EXTRAS_DIR);
  const available = new Set(await readdir(dir).catch((): string[] => []));
  const read: string[] = [];
  const seen = new Set<string>();
  const queue = [...headers];
  for (let text = queue.shift(); text !== undefined; text = queue.shift()) {
    for (const m of text.matchAll(INCLUDE)) {
      const name = m[1]!.split("/").pop()!;
      if (seen.has(name) || !available.has(name)) continue;
      seen.add(name);
      const included = await readFile(join(dir, name), "utf8");
      read.push(included);
      queue.push(included);
    }
  }
  return read;
}

// QMK merges keycodes_<version>[_<fragment>].hjson per fragment, oldest version first (qmk.keycodes).
export function keycodeHjsonOrder(files: string[]): string[] {
  const parse = (file: string) => {
    const m = /^keycodes_(\d+)\.(\d+)\.(\d+)(?:_([A-Za-z0-9_]+))?\.hjson$/.exec(file);
    return m ? { file, version: [Number(m[1]), Number(m[2]), Number(m[3])], fragment: m[4] ?? "" } : null;
  };
  const byVersion = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  return files
    .map(parse)
    .filter((f) => f !== null)
    .sort((a, b) =>
      a.fragment < b.fragment ? -1 : a.fragment > b.fragment ? 1 : byVersion(a.version, b.version),
    )
    .map((f) => f.file);
}

// Files are read one at a time: a real tree has ~300 quantum headers, and the agent may run under a low
// open-file limit.
export async function readTreeKeycodes(treeRoot: string): Promise<TreeKeycodes | null> {
  const keycodesH = await readFile(join(treeRoot, KEYCODES_HEADER), "utf8").catch(() => null);
  if (keycodesH === null) return null;
  const headerPaths: string[] = [];
  await headersUnder(join(treeRoot, "quantum"), headerPaths);
  const headers: string[] = [];
  for (const path of headerPaths) headers.push(await readFile(path, "utf8"));
  headers.push(...(await includedExtras(treeRoot, headers)));
  const hjsonDir = join(treeRoot, KEYCODES_HJSON_DIR);
  const hjsonFiles = keycodeHjsonOrder(await readdir(hjsonDir).catch((): string[] => []));
  const hjson: string[] = [];
  for (const file of hjsonFiles) hjson.push(await readFile(join(hjsonDir, file), "utf8"));
  const names = keycodeNamesFromQmkSources({ headers, hjson });
  const longNames = keycodeAliasPairs(keycodesH);
  const renames = qmkKeycodeRenames(
    hjsonFiles.map((name, i) => ({ name, text: hjson[i]! })),
    names,
    longNames,
  );
  const matrix = rgbMatrixRenames(renames, longNames, names);
  return { names, renames, rgbMatrixRenames: matrix, files: headers.length + hjson.length };
}

// Names one keyboard adds: its headers at each level of its path and `keycodes` of its merged info.
export async function readKeyboardKeycodes(
  treeRoot: string,
  keyboard: string,
  info: Record<string, unknown>,
): Promise<Set<string>> {
  const headers: string[] = [];
  const segments = keyboard.split("/");
  for (let depth = 1; depth <= segments.length; depth++) {
    const level = join(treeRoot, "keyboards", ...segments.slice(0, depth));
    const entries = await readdir(level, { withFileTypes: true }).catch(() => []);
    for (const e of entries)
      if (e.isFile() && e.name.endsWith(".h")) headers.push(await readFile(join(level, e.name), "utf8"));
  }
  const own = Array.isArray(info.keycodes) ? [JSON.stringify({ keycodes: info.keycodes })] : [];
  return keycodeNamesFromQmkSources({ headers, hjson: own });
}

// Once per firmware version: every job of the version and the catalogue share one read of the tree.
const cache = new Map<string, Promise<TreeKeycodes | null>>();

export function treeKeycodes(tree: FirmwareTree): Promise<TreeKeycodes | null> {
  const key = `${tree.version}\0${tree.root}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = readTreeKeycodes(tree.root);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}
