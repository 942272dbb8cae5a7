import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { keyboardName } from "@qmk-edge/schema";
import { JobFailure } from "../job-failure.ts";

// Which folder of keyboards/ a requested keyboard name builds, as QMK resolves it (qmk.keyboard.
// keyboard_folder): old names go through data/mappings/keyboard_aliases.hjson, whose targets may be
// aliases again, then a folder's rules.mk may name a DEFAULT_FOLDER (`lily58` builds `lily58/rev1`),
// followed again. Make is then run on the folder itself, so the firmware name and the keymap dir
// never depend on make resolving the same way.

export const ALIASES_FILE = "data/mappings/keyboard_aliases.hjson";
const MAX_HOPS = 8;

export interface KeyboardFolder {
  requested: string;
  folder: string;
  // How the name was resolved, one step per line, e.g. "DEFAULT_FOLDER: lily58 -> lily58/rev1".
  steps: string[];
}

// keyboard_aliases.hjson is hjson (comments, unquoted keys, trailing commas): read as text, comments
// stripped, `"<alias>": { "target": "<folder>" }` pairs picked out.
export function parseKeyboardAliases(text: string): Map<string, string> {
  const plain = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/[^\n]*/g, "$1");
  const aliases = new Map<string, string>();
  const entry = /"([^"\s]+)"\s*:\s*\{\s*"?target"?\s*:\s*"([^"]*)"/g;
  for (const m of plain.matchAll(entry)) aliases.set(m[1]!, m[2]!.replace(/\/+$/, ""));
  return aliases;
}

// The DEFAULT_FOLDER a rules.mk assigns (`=`, `:=` or `?=`), the last assignment winning as in make.
export function parseDefaultFolder(rulesMk: string): string | null {
  let folder: string | null = null;
  for (const m of rulesMk.matchAll(/^[ \t]*DEFAULT_FOLDER[ \t]*[:?]?=[ \t]*([^\s#]+)/gm)) folder = m[1]!;
  return folder;
}

export async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR")
      return null;
    throw err;
  }
}

// Names read from the tree reach paths and make targets too, so they meet the request's grammar.
function checkedName(name: string, from: string): string {
  if (!keyboardName.safeParse(name).success) {
    throw new JobFailure(`${from} leads to "${name.slice(0, 80)}", which is not a keyboard name`);
  }
  return name;
}

// The tree's keyboard_aliases.hjson, empty when it has none.
export async function readKeyboardAliases(treeRoot: string): Promise<Map<string, string>> {
  const aliasText = await readText(join(treeRoot, ALIASES_FILE));
  return aliasText === null ? new Map() : parseKeyboardAliases(aliasText);
}

// `aliases` may be given when many names are resolved at once (the catalogue), so the file is read once.
export async function resolveKeyboardFolder(
  treeRoot: string,
  requested: string,
  aliases?: ReadonlyMap<string, string>,
): Promise<KeyboardFolder> {
  const steps: string[] = [];
  let name = requested;
  const known = aliases ?? (await readKeyboardAliases(treeRoot));
  for (let hop = 0; known.has(name) && known.get(name) !== name; hop++) {
    if (hop === MAX_HOPS) throw new JobFailure(`keyboard "${requested}": ${ALIASES_FILE} loops`);
    const next = checkedName(known.get(name)!, `the alias of "${name}" in ${ALIASES_FILE}`);
    steps.push(`keyboard alias: ${name} -> ${next}`);
    name = next;
  }
  for (let hop = 0; ; hop++) {
    const rules = await readText(join(treeRoot, "keyboards", name, "rules.mk"));
    const next = rules === null ? null : parseDefaultFolder(rules);
    if (next === null || next === name) break;
    if (hop === MAX_HOPS) throw new JobFailure(`keyboard "${requested}": DEFAULT_FOLDER loops`);
    steps.push(`DEFAULT_FOLDER: ${name} -> ${checkedName(next, `DEFAULT_FOLDER of keyboards/${name}`)}`);
    name = next;
  }
  return { requested, folder: name, steps };
}
