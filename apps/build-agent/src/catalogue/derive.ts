import { createHash } from "node:crypto";
import {
  type CatalogueKeycodes,
  type CatalogueManifest,
  keyboardName,
  type ManifestKeyboard,
} from "@qmk-edge/schema";
import type { Logger } from "../log.ts";
import type { FirmwareTree } from "../tree/firmware-tree.ts";
import { readKeyboardAliases, resolveKeyboardFolder } from "../tree/keyboard-folder.ts";
import { treeKeycodes } from "../tree/keycode-names.ts";
import { deriveKeyboardEntry } from "./keyboard-entry.ts";
import { listKeyboardFolders } from "./keyboard-list.ts";

// The whole catalogue of one firmware version: content-addressed objects (each keyboard's info, readme
// and default keymap, and the tree's keycodes) and the manifest naming them. Keyboards are read a few at
// a time, each one file at a time, so a tree of 3,750 keyboards stays far below `ulimit -n 256`.

export type ObjectContentType = "application/json" | "text/markdown";

export interface CatalogueObject {
  bytes: Uint8Array;
  contentType: ObjectContentType;
}

export interface DerivedCatalogue {
  manifest: CatalogueManifest;
  objects: Map<string, CatalogueObject>; // sha256 -> object; identical files are one object
  skipped: Array<{ folder: string; reason: string }>;
  // Keyboards published with what could be known of them, and what could not.
  partial: Array<{ keyboard: string; notes: string[] }>;
}

export interface DeriveOptions {
  log: Logger;
  lastUpdated: string;
  concurrency?: number;
  progressEveryMs?: number;
}

export class NoKeycodesError extends Error {
  override name = "NoKeycodesError";
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const encoder = new TextEncoder();

export async function deriveCatalogue(tree: FirmwareTree, opts: DeriveOptions): Promise<DerivedCatalogue> {
  const { log } = opts;
  const started = performance.now();
  // A catalogue without keycode names would make the API refuse every keycode; better none at all.
  const keycodes = await treeKeycodes(tree);
  if (!keycodes)
    throw new NoKeycodesError("the tree does not say which keycodes it defines (no quantum/keycodes.h)");

  const objects = new Map<string, CatalogueObject>();
  const put = (bytes: Uint8Array, contentType: ObjectContentType) => {
    const digest = sha256(bytes);
    if (!objects.has(digest)) objects.set(digest, { bytes, contentType });
    return digest;
  };

  const folders = await listKeyboardFolders(tree.root);
  const skipped = [...folders.skipped];
  const partial: DerivedCatalogue["partial"] = [];
  const keyboards: Record<string, ManifestKeyboard> = {};
  const names = folders.keyboards.filter((name) => {
    const ok = keyboardName.safeParse(name).success;
    if (!ok) skipped.push({ folder: name, reason: "not a keyboard name a compile request can give" });
    return ok;
  });
  log.info("catalogue: deriving keyboards", { version: tree.version, keyboards: names.length });

  let next = 0;
  let done = 0;
  let lastProgress = performance.now();
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      try {
        const entry = await deriveKeyboardEntry(tree.root, name, keycodes);
        keyboards[name] = {
          info: put(entry.info, "application/json"),
          readme: entry.readme ? put(entry.readme, "text/markdown") : null,
          default_keymap: entry.defaultKeymap ? put(entry.defaultKeymap, "application/json") : null,
        };
        if (entry.notes.length > 0) partial.push({ keyboard: name, notes: entry.notes });
      } catch (err) {
        // QMK lists it, so it is published: with its name alone when nothing else could be read.
        const reason = err instanceof Error ? err.message : String(err);
        keyboards[name] = {
          info: put(bareInfo(name), "application/json"),
          readme: null,
          default_keymap: null,
        };
        partial.push({ keyboard: name, notes: [`only its name: ${reason}`] });
      }
      done++;
      if (performance.now() - lastProgress >= (opts.progressEveryMs ?? 5000)) {
        lastProgress = performance.now();
        log.info("catalogue: deriving keyboards", { done, of: names.length });
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));

  const aliases = await resolveAliases(tree.root, folders.defaultFolders, keyboards);
  const keycodesObject: CatalogueKeycodes = {
    firmware_version: tree.version,
    names: [...keycodes.names].sort(),
    renames: Object.fromEntries([...keycodes.renames].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  const manifest: CatalogueManifest = {
    firmware_version: tree.version,
    last_updated: opts.lastUpdated,
    keyboards: sortedRecord(keyboards),
    aliases: sortedRecord(aliases),
    keycodes: put(encoder.encode(JSON.stringify(keycodesObject)), "application/json"),
  };
  for (const s of skipped) log.debug("catalogue: not a keyboard QMK lists", s);
  for (const p of partial)
    log.debug("catalogue: described in part", { keyboard: p.keyboard, notes: p.notes.join("; ") });
  log.info("catalogue derived", {
    version: tree.version,
    keyboards: Object.keys(keyboards).length,
    aliases: Object.keys(aliases).length,
    objects: objects.size,
    skipped: skipped.length,
    described_in_part: partial.length,
    took_ms: Math.round(performance.now() - started),
  });
  return { manifest, objects, skipped, partial: partial.sort((a, b) => (a.keyboard < b.keyboard ? -1 : 1)) };
}

const bareInfo = (name: string) =>
  encoder.encode(
    JSON.stringify({
      keyboard_name: name,
      maintainer: "qmk",
      keyboard_folder: name,
      layouts: {},
      layout_aliases: {},
    }),
  );

// Old names that still build: keyboard_aliases.hjson and DEFAULT_FOLDER parents, each followed to the
// keyboard it builds exactly as a job would (tree/keyboard-folder.ts). An alias leading nowhere in the
// catalogue is left out: the API would answer it with a keyboard it cannot show.
async function resolveAliases(
  root: string,
  defaultFolders: ReadonlyMap<string, string>,
  keyboards: Record<string, ManifestKeyboard>,
): Promise<Record<string, string>> {
  const table = await readKeyboardAliases(root);
  const aliases: Record<string, string> = {};
  for (const name of new Set([...table.keys(), ...defaultFolders.keys()])) {
    if (keyboards[name] || !keyboardName.safeParse(name).success) continue;
    const resolved = await resolveKeyboardFolder(root, name, table).catch(() => null);
    if (resolved && resolved.folder !== name && keyboards[resolved.folder]) aliases[name] = resolved.folder;
  }
  return aliases;
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
