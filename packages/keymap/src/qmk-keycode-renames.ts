import { parseHjson } from "./hjson.ts";
import { LEGACY_KEYCODES } from "./legacy-keycodes.ts";
import { mergeKeycodeSpecs } from "./qmk-keycode-names.ts";

// QMK's renames of keycodes, read from its own records (no I/O here; the caller reads the files):
//   - data/constants/keycodes/keycodes_<version>[_<fragment>].hjson, merged oldest version first as
//     qmk.keycodes.load_spec does: a name (key or alias) that an older version gave a keycode value and
//     the merged, newest spec no longer gives it is renamed to the name the newest spec gives that value
//     (its first alias, QMK's short name, else its key): MU_MOD -> MU_NEXT, RGB_TOG -> UG_TOGG, ...
//   - LEGACY_KEYCODES (legacy-keycodes.ts), QMK's legacy headers of past versions, for names older than
//     the hjson records (KC_BSPACE, RESET, ...).
// Only names the tree does not define are renamed, and only to names it defines.

type Spec = Record<string, unknown>;
const isSpec = (v: unknown): v is Spec => typeof v === "object" && v !== null && !Array.isArray(v);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface KeycodeHjsonFile {
  name: string; // keycodes_0.0.4_basic.hjson
  text: string;
}

// Oldest version first, and within a version the base file before its fragments (load_spec's order).
export function keycodeVersionOrder<T extends { name: string }>(files: readonly T[]): T[] {
  const parse = (f: T) => {
    const m = /^keycodes_(\d+)\.(\d+)\.(\d+)(?:_([A-Za-z0-9_]+))?\.hjson$/.exec(f.name);
    return m ? { f, v: [Number(m[1]), Number(m[2]), Number(m[3])], frag: m[4] ?? "" } : null;
  };
  return files
    .map(parse)
    .filter((p) => p !== null)
    .sort((a, b) => a.v[0]! - b.v[0]! || a.v[1]! - b.v[1]! || a.v[2]! - b.v[2]! || (a.frag < b.frag ? -1 : 1))
    .map((p) => p.f);
}

const namesOf = (entry: Spec): string[] =>
  [entry.key, ...(Array.isArray(entry.aliases) ? entry.aliases : [])].filter(
    (n): n is string => typeof n === "string" && IDENT.test(n),
  );

// Old name -> current name, from the hjson history. `defined`: every name the tree defines.
export function renamesFromKeycodeHjson(
  files: readonly KeycodeHjsonFile[],
  defined: ReadonlySet<string>,
): Map<string, string> {
  const merged: Spec = { keycodes: {} };
  // Every name any version gave, with the value and group it had when last given.
  const given = new Map<string, { value: string; group: unknown }>();
  for (const file of keycodeVersionOrder(files)) {
    let spec: unknown;
    try {
      spec = parseHjson(file.text);
    } catch {
      continue; // the names check reports an unreadable file; renames just lack its entries
    }
    if (!isSpec(spec) || !isSpec(spec.keycodes)) continue;
    mergeKeycodeSpecs(merged, { keycodes: spec.keycodes });
    const now = merged.keycodes as Spec;
    for (const value of Object.keys(spec.keycodes)) {
      const entry = now[value];
      if (isSpec(entry)) for (const name of namesOf(entry)) given.set(name, { value, group: entry.group });
    }
  }
  const latest = merged.keycodes as Spec;
  const renames = new Map<string, string>();
  for (const [name, { value, group }] of given) {
    if (defined.has(name)) continue;
    const entry = latest[value];
    // A value QMK gave to another kind of keycode is a renumbering, not a rename.
    if (!isSpec(entry) || (group !== undefined && entry.group !== undefined && entry.group !== group))
      continue;
    const names = namesOf(entry);
    const to = [...names.slice(1), names[0]].find((n) => n !== undefined && defined.has(n));
    if (to && to !== name) renames.set(name, to);
  }
  return renames;
}

// Every rename for a tree: its hjson history first, then LEGACY_KEYCODES for what the history lacks. A
// rename to a long name goes to its short alias where the tree pairs one (`longNames`, short -> long, from
// keycodes.h): MU_MOD -> QK_MUSIC_MODE_NEXT is MU_NEXT, the name keymaps use.
export function qmkKeycodeRenames(
  files: readonly KeycodeHjsonFile[],
  defined: ReadonlySet<string>,
  longNames: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const shortOf = new Map<string, string>();
  for (const [short, long] of longNames)
    if (!shortOf.has(long) && defined.has(short)) shortOf.set(long, short);
  const renames = renamesFromKeycodeHjson(files, defined);
  for (const [old, candidates] of LEGACY_KEYCODES) {
    if (defined.has(old) || renames.has(old)) continue;
    const to = candidates.find((c) => defined.has(c));
    if (to) renames.set(old, shortOf.get(to) ?? to);
  }
  return renames;
}

// QMK's RGB keycode overhaul (2024-11, #23679 / #24484) split the RGB_* keys into UG_* (underglow,
// rgblight) and RM_* (RGB Matrix), and moved the keymaps of RGB Matrix boards to RM_*. A rename that
// lands on an underglow key (QK_UNDERGLOW_<X>, by its short name or its own) is, on a board lit by RGB
// Matrix only, the RGB Matrix key of the same action (QK_RGB_MATRIX_<X>). `longNames`: short -> long name
// as the tree's keycodes.h pairs them (`UG_TOGG = QK_UNDERGLOW_TOGGLE`).
export function rgbMatrixRenames(
  renames: ReadonlyMap<string, string>,
  longNames: ReadonlyMap<string, string>,
  defined: ReadonlySet<string>,
): Map<string, string> {
  const shortOf = new Map<string, string>();
  for (const [short, long] of longNames) if (!shortOf.has(long)) shortOf.set(long, short);
  const out = new Map<string, string>();
  for (const [old, to] of renames) {
    const long = to.startsWith("QK_UNDERGLOW_") ? to : longNames.get(to);
    if (!long?.startsWith("QK_UNDERGLOW_")) continue;
    const matrix = `QK_RGB_MATRIX_${long.slice("QK_UNDERGLOW_".length)}`;
    const target = shortOf.get(matrix) ?? matrix;
    if (defined.has(target)) out.set(old, target);
  }
  return out;
}

// `NAME = QK_LONG_NAME,` pairs of QMK's generated keycodes.h: the short names of long ones.
export function keycodeAliasPairs(keycodesH: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const m of keycodesH.matchAll(/^[ \t]*([A-Z][A-Z0-9_]*)[ \t]*=[ \t]*(QK_[A-Z0-9_]+)[ \t]*,/gm))
    if (!pairs.has(m[1]!)) pairs.set(m[1]!, m[2]!);
  return pairs;
}
