import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CompileRequest } from "@qmk-edge/schema";
import { DEMO_TREE } from "../system.ts";

// What tests read from a QMK-shaped tree (the demo tree unless told otherwise): its keyboards, their
// keyboard.json and default keymaps, and user keymaps made up for a layout.

// Every keyboard of the tree (a folder with keyboard.json), found on disk so new ones are covered.
export async function demoKeyboards(tree = DEMO_TREE): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, name: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    if (name && entries.some((e) => e.isFile() && e.name === "keyboard.json")) found.push(name);
    for (const e of entries) {
      if (e.isDirectory() && e.name !== "keymaps")
        await walk(join(dir, e.name), name ? `${name}/${e.name}` : e.name);
    }
  };
  await walk(join(tree, "keyboards"), "");
  return found.sort();
}

type KeyboardJson = {
  processor: string;
  layouts: Record<string, { layout: Array<{ matrix: [number, number] }> }>;
  layout_aliases?: Record<string, string>;
};

// keyboard.json of a keyboard folder merged over the info.json / keyboard.json of each folder above it
// (a revision's keyboard.json under its parent's info.json), deeper files winning, as the agent reads it.
export async function readKeyboardJson(keyboard: string, tree = DEMO_TREE): Promise<KeyboardJson> {
  let merged: Record<string, unknown> = {};
  const segments = keyboard.split("/");
  for (let depth = 1; depth <= segments.length; depth++) {
    for (const name of ["info.json", "keyboard.json"]) {
      const path = join(tree, "keyboards", ...segments.slice(0, depth), name);
      const text = await readFile(path, "utf8").catch(() => null);
      if (text !== null) merged = { ...merged, ...JSON.parse(text) };
    }
  }
  return merged as KeyboardJson;
}

// The keymap.json of a keyboard's "default" keymap, found as QMK's make finds it: in keymaps/default of
// the deepest folder on the keyboard's path that has one (builddefs/locate_keymap.mk).
export async function defaultKeymap(keyboard: string, tree = DEMO_TREE): Promise<CompileRequest> {
  const segments = keyboard.split("/");
  for (let depth = segments.length; depth >= 1; depth--) {
    const path = join(tree, "keyboards", ...segments.slice(0, depth), "keymaps/default/keymap.json");
    const text = await readFile(path, "utf8").catch(() => null);
    if (text !== null) return { ...JSON.parse(text), keyboard };
  }
  throw new Error(`${keyboard} has no default keymap.json in ${tree}`);
}

// Keycodes of every family the Configurator sends: basic, modified, mod-tap, layer-tap, layer switches,
// one-shot, media, mouse, transparent, none.
const USER_KEYCODES = [
  "KC_Q",
  "KC_W",
  "KC_E",
  "KC_1",
  "KC_ENT",
  "KC_ESC",
  "KC_SPC",
  "KC_LSFT",
  "LCTL(KC_C)",
  "S(KC_1)",
  "LT(1, KC_BSPC)",
  "MT(MOD_LCTL | MOD_LSFT, KC_A)",
  "LSFT_T(KC_F)",
  "MO(1)",
  "TG(2)",
  "TO(0)",
  "OSM(MOD_LALT)",
  "KC_VOLU",
  "KC_MS_U",
  "KC_TRNS",
  "KC_NO",
  "KC_F12",
];

// A user keymap for `layout` with `layers` layers, different from the default one.
export function userKeymap(
  keyboard: string,
  layout: string,
  keys: number,
  layers = 3,
  keymap = "user_km",
): CompileRequest {
  return {
    keyboard,
    keymap,
    layout,
    layers: Array.from({ length: layers }, (_, l) =>
      Array.from({ length: keys }, (_, k) => USER_KEYCODES[(k * 7 + l * 5) % USER_KEYCODES.length]!),
    ),
  };
}
