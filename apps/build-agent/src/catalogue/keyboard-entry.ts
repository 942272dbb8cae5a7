import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CATALOGUE_LIMITS, defaultKeymap, keyboardInfo } from "@qmk-edge/schema";
import { readMergedInfo, toolchainFor } from "../tree/keyboard-info.ts";
import { readKeyboardKeycodes, type TreeKeycodes } from "../tree/keycode-names.ts";
import { keyboardRenames } from "../tree/lighting-renames.ts";

// One keyboard's part of the catalogue, in the shapes QMK's `qmk generate-api` gives Configurator: its
// resolved info (keyboard.json / info.json merged along the path by tree/keyboard-info.ts, the way jobs
// read it), the nearest readme.md, and the default keymap when the tree has one as keymap.json.

export interface KeyboardEntry {
  info: Uint8Array; // JSON
  readme: Uint8Array | null; // markdown
  defaultKeymap: Uint8Array | null; // JSON
  notes: string[]; // what could not be described (the keyboard is published all the same)
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const encoder = new TextEncoder();

// MATRIX_ROWS / MATRIX_COLS of the deepest config.h on the path that defines them as numbers. QMK lets
// them win over info (converter/xt_usb has no pins, only these).
async function configHMatrix(root: string, keyboard: string): Promise<Json | undefined> {
  for (const level of levels(keyboard)) {
    const text = (await readOptional(join(root, "keyboards", level, "config.h")))?.toString("utf8") ?? "";
    const number = (name: string) =>
      Number(
        new RegExp(
          `^[ \\t]*#[ \\t]*define[ \\t]+${name}[ \\t]+\\(?(\\d+)\\)?[ \\t]*(?:\\/[/*].*)?$`,
          "m",
        ).exec(text)?.[1],
      );
    const rows = number("MATRIX_ROWS");
    const cols = number("MATRIX_COLS");
    if (rows > 0 && cols > 0) return { cols, rows };
  }
  return undefined;
}

// QMK's _matrix_size: from the pins when info does not say; a split keyboard has the rows of both halves.
function matrixSize(info: Json): Json | undefined {
  if (isObject(info.matrix_size)) return info.matrix_size;
  const pins = info.matrix_pins;
  if (!isObject(pins)) return undefined;
  let size: { cols: number; rows: number } | undefined;
  if (Array.isArray(pins.direct) && Array.isArray(pins.direct[0]))
    size = { cols: pins.direct[0].length, rows: pins.direct.length };
  else if (Array.isArray(pins.cols) && Array.isArray(pins.rows))
    size = { cols: pins.cols.length, rows: pins.rows.length };
  if (size && isObject(info.split) && info.split.enabled === true) size.rows *= 2;
  return size;
}

async function readOptional(path: string): Promise<Buffer | null> {
  return readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT" || err.code === "ENOTDIR" || err.code === "EISDIR") return null;
    throw err;
  });
}

// Every level of the keyboard's path, deepest first (QMK's find_readme walks up from the keyboard).
const levels = (keyboard: string) =>
  keyboard.split("/").map((_, i, segments) => segments.slice(0, segments.length - i).join("/"));

// The info object of a keyboard QMK lists, with whatever can be known of it: a keyboard the agent cannot
// build (no processor, a processor of another toolchain), or whose files say less than they should, is
// described all the same, and `notes` say what is missing. Layouts and layout_aliases are always present.
export async function keyboardInfoObject(
  root: string,
  keyboard: string,
  keycodes: TreeKeycodes | null = null,
): Promise<{ info: Json; notes: string[] }> {
  const merged = await readMergedInfo(root, keyboard, { lenient: true });
  const notes = [...merged.notes];
  const layouts: Json = {};
  if (isObject(merged.info.layouts)) {
    for (const [name, spec] of Object.entries(merged.info.layouts))
      if (isObject(spec) && Array.isArray(spec.layout)) layouts[name] = spec;
  }
  const info: Json = {
    // QMK's info_json starts from these, so a keyboard that names neither still has both.
    keyboard_name: keyboard,
    maintainer: "qmk",
    ...merged.info,
    keyboard_folder: keyboard,
    layouts,
    layout_aliases: isObject(merged.info.layout_aliases) ? merged.info.layout_aliases : {},
  };
  if (typeof info.processor !== "string") notes.push("it names no processor");
  else if (!toolchainFor(info.processor))
    notes.push(`its processor ${info.processor} is neither avr nor arm`);
  const size = (await configHMatrix(root, keyboard)) ?? matrixSize(info);
  if (size) info.matrix_size = size;
  // The API checks compiles against the catalogue alone, so names the agent's own check takes for this
  // keyboard (tree/keycode-names.ts) travel with it; the version-wide names are in the keycodes object.
  // Its LAYOUT macros are never keycodes, so they stay out of the list.
  const own = [...(await readKeyboardKeycodes(root, keyboard, info))].filter((n) => !n.startsWith("LAYOUT"));
  if (own.length > 0) info.keyboard_keycodes = own.sort();
  // Renames that differ on this keyboard from the version's (RGB_* -> RM_* on an RGB Matrix board).
  const renames = await keyboardRenames(root, keyboard, info, keycodes);
  if (renames.size > 0) info.keycode_renames = Object.fromEntries([...renames].sort());
  return { info, notes };
}

// What of `info` fits the catalogue's schema: layouts (and keys) that do not fit are left out, and so are
// other fields the schema types, until it fits. Each dropped part is noted.
function fitted(info: Json, notes: string[]): Json {
  for (let tries = 0; tries < 64; tries++) {
    const checked = keyboardInfo.safeParse(info);
    if (checked.success) return info;
    const path = checked.error.issues[0]!.path;
    const at = path.map(String).join(".");
    if (path[0] === "layouts" && typeof path[1] === "string") {
      const { [path[1]]: _dropped, ...rest } = info.layouts as Json;
      info = { ...info, layouts: rest };
    } else if (
      typeof path[0] === "string" &&
      !["keyboard_folder", "layouts", "layout_aliases"].includes(path[0])
    ) {
      const { [path[0]]: _dropped, ...rest } = info;
      info = path[0] === "keyboard_name" ? { ...rest, keyboard_name: String(info.keyboard_folder) } : rest;
    } else {
      info = { ...info, layouts: {}, layout_aliases: {} };
    }
    notes.push(`left out of its info: ${at} (${checked.error.issues[0]!.message})`);
  }
  throw new Error("its info does not fit the catalogue");
}

export async function deriveKeyboardEntry(
  root: string,
  keyboard: string,
  keycodes: TreeKeycodes | null = null,
): Promise<KeyboardEntry> {
  const described = await keyboardInfoObject(root, keyboard, keycodes);
  const notes = described.notes;
  const info = fitted(described.info, notes);
  let infoBytes = encoder.encode(JSON.stringify(info));
  if (infoBytes.byteLength > CATALOGUE_LIMITS.objectBytes) {
    notes.push("its info is over 1 MiB: published without layouts");
    infoBytes = encoder.encode(JSON.stringify({ ...info, layouts: {} }));
  }

  let readme: Uint8Array | null = null;
  for (const level of levels(keyboard)) {
    readme = await readOptional(join(root, "keyboards", level, "readme.md"));
    if (readme) break;
  }
  if (readme && readme.byteLength > CATALOGUE_LIMITS.objectBytes) readme = null;
  return { info: infoBytes, readme, defaultKeymap: await readDefaultKeymap(root, keyboard), notes };
}

// keymaps/default/keymap.json at the shallowest level that has one, as QMK's make finds a keymap. A
// default keymap written in C only (most of QMK's) has none; neither has one that is not keymap.json's
// shape (a layout and layers of keycode strings).
async function readDefaultKeymap(root: string, keyboard: string): Promise<Uint8Array | null> {
  for (const level of levels(keyboard).reverse()) {
    const bytes = await readOptional(join(root, "keyboards", level, "keymaps", "default", "keymap.json"));
    if (!bytes) continue;
    let data: unknown;
    try {
      data = JSON.parse(bytes.toString("utf8"));
    } catch {
      return null;
    }
    const keymap = isObject(data) ? { ...data, version: 1, keyboard, keymap: "default" } : null;
    if (!defaultKeymap.safeParse(keymap).success) return null;
    const out = encoder.encode(JSON.stringify(keymap));
    return out.byteLength > CATALOGUE_LIMITS.objectBytes ? null : out;
  }
  return null;
}
