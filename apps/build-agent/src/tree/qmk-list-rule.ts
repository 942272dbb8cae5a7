import { join } from "node:path";
import { readText } from "./keyboard-folder.ts";

// Which folders the tree's own QMK counts as keyboards (`qmk list-keyboards`), read from its
// lib/python/qmk/keyboard.py rather than guessed from the date: list_keyboards globs keyboards/**/<marker>
// outside keymaps/ (rules.mk until 2024, keyboard.json since), and older versions take each found folder
// through resolve_keyboard (DEFAULT_FOLDER). A tree without that file (the demo tree) follows QMK 2026.

export type ListMarker = "keyboard.json" | "rules.mk";

export interface ListRule {
  markers: ListMarker[];
  resolveDefaults: boolean;
  from: string; // where the rule was read, for logs and notes
}

export const QMK_KEYBOARD_PY = "lib/python/qmk/keyboard.py";
const DEFAULT_RULE: ListRule = {
  markers: ["keyboard.json"],
  resolveDefaults: false,
  from: "QMK 2026's rule",
};

// The body of `def list_keyboards(...)`: up to the next top-level statement.
export function listKeyboardsRule(python: string): Omit<ListRule, "from"> | null {
  const start = python.search(/^def list_keyboards\(/m);
  if (start < 0) return null;
  const rest = python.slice(start);
  const firstLine = rest.indexOf("\n") + 1;
  const end = firstLine === 0 ? -1 : rest.slice(firstLine).search(/^\S/m);
  const body = end < 0 ? rest : rest.slice(0, firstLine + end);
  const markers = new Set<ListMarker>();
  for (const m of body.matchAll(/["'](rules\.mk|keyboard\.json)["']/g)) markers.add(m[1] as ListMarker);
  if (markers.size === 0) return null;
  return { markers: [...markers].sort(), resolveDefaults: /\bresolve_keyboard\b/.test(body) };
}

export async function qmkListRule(treeRoot: string): Promise<ListRule> {
  const python = await readText(join(treeRoot, QMK_KEYBOARD_PY));
  const rule = python === null ? null : listKeyboardsRule(python);
  return rule ? { ...rule, from: QMK_KEYBOARD_PY } : DEFAULT_RULE;
}
