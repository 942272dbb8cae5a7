import { join } from "node:path";
import { readText } from "./keyboard-folder.ts";

// Layouts a keyboard declares as C macros in `<folder>.h` at each level of its path, read the way QMK's
// info.py (_search_keyboard_h) and c_parse.py (find_layouts) read them: a `#define LAYOUT...(args)
// {{...},{...}}` line gives one key per argument (x = its position, y 0, w 1, label = the argument) and
// each argument's place in the matrix braces gives its `matrix`; a plain `#define NAME OTHER_LAYOUT`
// naming a layout found so far is a layout alias. Keyboards of older trees (2024 and before) still
// describe layouts this way, alone or under an info.json whose keys carry no `matrix`.

type Json = Record<string, unknown>;
export interface MacroKey {
  x: number;
  y: number;
  w: number;
  label?: string;
  matrix?: [number, number];
}
export interface MacroLayouts {
  layouts: Record<string, { layout: MacroKey[] }>;
  aliases: Record<string, string>;
}

// Comments out, backslash-newlines joined, as comment_remover and find_layouts do.
function clean(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => (m.startsWith("/*") ? m.replace(/[^\n]/g, "") : ""))
    .replace(/\\\n/g, "");
}

function matrixLocations(body: string): Map<string, [number, number]> | null {
  const at = new Map<string, [number, number]>();
  const rows = body.split("},{");
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.startsWith("LAYOUT")) return at; // a nested macro: no matrix data past this row
    const ids = row.replace(/[{}]/g, "").split(",");
    ids.forEach((id, c) => {
      if (id !== "KC_NO") at.set(id, [r, c]);
    });
  }
  return at;
}

export function parseLayoutMacros(text: string, found: MacroLayouts): void {
  for (const line of clean(text).split("\n")) {
    const trimmed = line.trim();
    if (/^#\s*define/.test(trimmed) && trimmed.includes("(") && trimmed.includes("LAYOUT")) {
      const flat = trimmed.replace(/[\\ \t]/g, "").replace("#define", "");
      const open = flat.indexOf("(");
      const name = flat.slice(0, open);
      const rest = flat.slice(open + 1);
      const close = rest.indexOf(")");
      if (close < 0 || name.startsWith("LAYOUT_kc") || !name.startsWith("LAYOUT")) continue;
      const args = rest.slice(0, close).split(",");
      const at = matrixLocations(rest.slice(close + 1)) ?? new Map();
      found.layouts[name] = {
        layout: args.map((arg, x) => {
          const key: MacroKey = { x, y: 0, w: 1 };
          if (arg) key.label = arg;
          const m = arg ? at.get(arg) : undefined;
          if (m) key.matrix = m;
          return key;
        }),
      };
    } else if (trimmed.startsWith("#define ")) {
      const [, alias, target] = /^#define ([^ ]+) (.+)$/.exec(trimmed) ?? [];
      if (alias && target && found.layouts[target]) found.aliases[alias] = target;
    }
  }
}

// `<segment>.h` of every level, outermost first: keyboards/a/a.h, keyboards/a/b/b.h, ...
export async function readLayoutMacros(treeRoot: string, keyboard: string): Promise<MacroLayouts> {
  const found: MacroLayouts = { layouts: {}, aliases: {} };
  const segments = keyboard.split("/");
  for (let depth = 1; depth <= segments.length; depth++) {
    const level = join(treeRoot, "keyboards", ...segments.slice(0, depth));
    const text = await readText(join(level, `${segments[depth - 1]}.h`));
    if (text !== null) parseLayoutMacros(text, found);
  }
  return found;
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

// QMK's merge of one info file's layouts over what is known so far (info.py merge_info_jsons): a layout
// named by an alias is the aliased one; a layout already known (from a macro or an outer file) of the same
// key count takes the file's key fields over its own, key by key, and one of another count is left as
// it was; a new layout is taken only when every key has a `matrix`. Returns what QMK would log.
export function mergeLayouts(
  layouts: Record<string, { layout: Json[] }>,
  aliases: Record<string, string>,
  from: unknown,
): string[] {
  const notes: string[] = [];
  if (!isObject(from)) return notes;
  for (const [given, spec] of Object.entries(from)) {
    if (!isObject(spec) || !Array.isArray(spec.layout)) continue;
    const name = Object.hasOwn(aliases, given) ? aliases[given]! : given;
    const keys = spec.layout.filter(isObject);
    const known = Object.hasOwn(layouts, name) ? layouts[name] : undefined;
    if (known) {
      if (known.layout.length !== keys.length) {
        notes.push(`layout ${name}: ${keys.length} keys in info, ${known.layout.length} in the macro`);
        continue;
      }
      known.layout = known.layout.map((k, i) => ({ ...k, ...keys[i] }));
    } else if (keys.every((k) => Array.isArray(k.matrix))) {
      layouts[name] = { ...spec, layout: keys.map((k) => ({ ...k })) };
    } else {
      notes.push(`layout ${name} has no "matrix" in its info or a macro`);
    }
  }
  return notes;
}
