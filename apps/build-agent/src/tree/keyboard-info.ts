import { readFile, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { parseHjson } from "@qmk-edge/keymap";
import type { CompileRequest, Toolchain } from "@qmk-edge/schema";
import { JobFailure } from "../job-failure.ts";
import { withQmkDefaults } from "./info-defaults.ts";
import { readText } from "./keyboard-folder.ts";
import { mergeLayouts, readLayoutMacros } from "./layout-macros.ts";

// What the agent must know about a keyboard before writing anything into the tree: where it lives, which
// toolchain builds it, and its layouts with their key counts. Read from keyboard.json / info.json as QMK
// does: each folder from keyboards/ down to the keyboard may hold either or both, deeper ones win.
// `keyboard` is a folder (tree/keyboard-folder.ts resolves aliases and DEFAULT_FOLDER first).

export interface KeyboardInfo {
  name: string;
  dir: string; // absolute
  processor: string;
  toolchain: Toolchain;
  layouts: Record<string, number>; // layout name -> key count
  aliases: Record<string, string>; // layout_aliases
  files: string[]; // the info files read, relative to the tree, outermost first
  info: Record<string, unknown>; // the merged keyboard.json / info.json
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

// QMK merges info.json files as nested dictionaries; arrays and scalars of a deeper file replace.
function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

export function toolchainFor(processor: string): Toolchain | null {
  if (/^(atmega|at90|attiny)/i.test(processor)) return "avr";
  if (/^(stm32|rp20|cortex|mk[0-9l]|atsam|at32|wb32|nrf5)/i.test(processor)) return "arm";
  return null;
}

async function readJson(path: string, treeRoot: string): Promise<Json | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  // QMK reads these files as hjson (json_load): about 100 keyboard.json files of the 2026 tree have
  // comments, trailing commas or commas left out. Plain JSON is read by JSON.parse, which is faster.
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    try {
      data = parseHjson(text);
    } catch (err) {
      throw new JobFailure(
        `${relative(treeRoot, path)} in the firmware tree is not valid JSON or hjson: ${(err as Error).message}`,
      );
    }
  }
  if (!isObject(data))
    throw new JobFailure(`${relative(treeRoot, path)} in the firmware tree is not a JSON object`);
  return data;
}

// A few keyboards still name their MCU in rules.mk only (annepro2/c15: `MCU = cortex-m0plus`), which QMK
// reads as the processor; the deepest rules.mk on the path wins, as in make.
async function rulesMkMcu(keyboards: string, segments: string[]): Promise<string | undefined> {
  let mcu: string | undefined;
  for (let depth = 1; depth <= segments.length; depth++) {
    const rules = await readText(join(keyboards, ...segments.slice(0, depth), "rules.mk"));
    for (const m of rules?.matchAll(/^[ \t]*MCU[ \t]*[:?]?=[ \t]*([A-Za-z0-9_+-]+)[ \t]*(?:#.*)?$/gm) ?? [])
      mcu = m[1];
  }
  return mcu;
}

export interface MergedInfo {
  dir: string; // absolute
  info: Json; // keyboard.json / info.json merged along the path, with layouts as QMK merges them
  files: string[]; // the info files read, relative to the tree, outermost first
  leafHasInfo: boolean; // the keyboard's own folder has a keyboard.json or info.json
  notes: string[]; // what QMK would log about the merge (a file skipped, a layout left out)
}

// The keyboard's info as QMK's info_json builds it: layouts from the `<folder>.h` macros first, then each
// keyboard.json / info.json from keyboards/ down (deeper wins; layouts merged key by key), then QMK's
// defaults for a development_board. A folder is a keyboard when it holds keyboard.json, info.json or
// rules.mk (qmk.path.is_keyboard): a rules.mk-only revision takes everything from its parents.
// `lenient` (the catalogue) skips an info file that cannot be read, as `qmk info` does, noting why;
// jobs fail on it instead.
export async function readMergedInfo(
  treeRoot: string,
  keyboard: string,
  opts: { lenient?: boolean } = {},
): Promise<MergedInfo> {
  const keyboards = join(treeRoot, "keyboards");
  const dir = join(keyboards, keyboard);
  // The name grammar already forbids "..", but the tree itself may hold symlinks that lead out of it.
  const real = await realpath(dir).catch(() => null);
  const realKeyboards = await realpath(keyboards);
  const isDir = real !== null && (await stat(real)).isDirectory();
  if (!isDir || !(real === realKeyboards || real.startsWith(realKeyboards + sep))) {
    throw new JobFailure(`keyboard "${keyboard}" does not exist in this firmware tree`);
  }

  const macros = await readLayoutMacros(treeRoot, keyboard);
  const layouts: Record<string, { layout: Json[] }> = {};
  for (const [name, spec] of Object.entries(macros.layouts))
    layouts[name] = { layout: spec.layout.map((k) => ({ ...k })) };
  let aliases: Record<string, string> = { ...macros.aliases };
  let info: Json = {};
  const files: string[] = [];
  const notes: string[] = [];
  let leafHasInfo = false;
  const segments = keyboard.split("/");
  for (let depth = 1; depth <= segments.length; depth++) {
    const level = join(keyboards, ...segments.slice(0, depth));
    // QMK reads both names at every level (a revision's keyboard.json under its parent's info.json).
    for (const name of ["info.json", "keyboard.json"]) {
      let data: Json | null;
      try {
        data = await readJson(join(level, name), treeRoot);
      } catch (err) {
        if (!opts.lenient || !(err instanceof JobFailure)) throw err;
        notes.push(`not included: ${err.message}`);
        continue;
      }
      if (!data) continue;
      const { layouts: fileLayouts, layout_aliases: fileAliases, ...rest } = data;
      if (isObject(fileAliases)) aliases = { ...aliases, ...(fileAliases as Record<string, string>) };
      notes.push(...mergeLayouts(layouts, aliases, fileLayouts));
      info = deepMerge(info, rest);
      files.push(relative(treeRoot, join(level, name)));
      if (depth === segments.length) leafHasInfo = true;
    }
  }
  if (!leafHasInfo && (await readText(join(dir, "rules.mk"))) === null) {
    throw new JobFailure(
      `keyboard "${keyboard}" does not exist in this firmware tree (keyboards/${keyboard} has no keyboard.json, info.json or rules.mk)`,
    );
  }
  info = await withQmkDefaults(treeRoot, { ...info, layouts, layout_aliases: aliases });
  if (typeof info.processor !== "string") {
    const mcu = await rulesMkMcu(keyboards, segments);
    if (mcu) info.processor = mcu;
  }
  return { dir, info, files, leafHasInfo, notes };
}

export async function readKeyboard(treeRoot: string, keyboard: string): Promise<KeyboardInfo> {
  const { dir, info, files } = await readMergedInfo(treeRoot, keyboard);
  const processor = typeof info.processor === "string" ? info.processor : undefined;
  if (!processor)
    throw new JobFailure(
      `keyboard "${keyboard}" names no processor in ${files.join(", ") || "its info"} or its rules.mk`,
    );
  const toolchain = toolchainFor(processor);
  if (!toolchain) {
    throw new JobFailure(
      `keyboard "${keyboard}" uses processor "${processor}", which this agent cannot build (avr and arm only)`,
    );
  }

  const layouts: Record<string, number> = {};
  if (isObject(info.layouts)) {
    for (const [name, spec] of Object.entries(info.layouts)) {
      if (isObject(spec) && Array.isArray(spec.layout)) layouts[name] = spec.layout.length;
    }
  }
  const aliases: Record<string, string> = {};
  if (isObject(info.layout_aliases)) {
    for (const [from, to] of Object.entries(info.layout_aliases))
      if (typeof to === "string") aliases[from] = to;
  }
  return { name: keyboard, dir, processor, toolchain, layouts, aliases, files, info };
}

// The layout must exist and every layer must have exactly its key count, or the LAYOUT macro call
// would fail to compile (or worse, compile with keys shifted).
export function checkLayout(kb: KeyboardInfo, req: Pick<CompileRequest, "layout" | "layers">): number {
  const name = kb.layouts[req.layout] !== undefined ? req.layout : kb.aliases[req.layout];
  const count = name !== undefined ? kb.layouts[name] : undefined;
  if (count === undefined) {
    const known = Object.keys(kb.layouts).sort().join(", ") || "none";
    throw new JobFailure(`keyboard "${kb.name}" has no layout "${req.layout}" (its layouts: ${known})`);
  }
  const wrong = req.layers
    .map((layer, i) => ({ i, n: layer.length }))
    .filter(({ n }) => n !== count)
    .map(({ i, n }) => `layer ${i} has ${n}`);
  if (wrong.length > 0) {
    throw new JobFailure(
      `layout "${req.layout}" of keyboard "${kb.name}" has ${count} keys, but ${wrong.join(", ")}`,
    );
  }
  return count;
}
