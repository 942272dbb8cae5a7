import { z } from "zod";
import { LIMITS } from "./limits.ts";
import { firmwareVersion, isoTimestamp, keyboardName, sha256Hex } from "./names.ts";

// The keyboard catalogue of one firmware version (issue 12): agents publish it as content-addressed objects
// plus a manifest; the API serves it as QMK's keyboards API (keyboard_list.json, info.json, readme.md).

export const CATALOGUE_LIMITS = {
  // One object (an info.json, a readme, a default keymap, the keycodes list).
  objectBytes: 1024 * 1024,
  // Digests per POST /v1/agent/catalogue/objects/missing.
  missingQuery: 10_000,
  // A manifest of a real qmk_firmware tree is about 1 MiB (thousands of keyboards, three digests each).
  manifestBytes: 8 * 1024 * 1024,
  // Missing objects named in a 409 answer to publish.
  missingReported: 20,
} as const;

// The catalogue lists keyboards by the same grammar a compile request names them with (names.ts), so
// every listed keyboard can be compiled.

// `matrix` is optional as in QMK's info: a key of a layout macro whose argument is not in the macro's
// matrix braces has none (qmk info publishes such layouts); Configurator needs only x, y, w, h.
export const layoutKey = z.looseObject({
  label: z.string().optional(),
  matrix: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]).optional(),
  x: z.number(),
  y: z.number(),
  w: z.number().optional(),
  h: z.number().optional(),
});
export type LayoutKey = z.infer<typeof layoutKey>;

export const keyboardLayout = z.looseObject({ layout: z.array(layoutKey) });

// One keyboard's resolved info: what QMK's API puts at keyboards[<kb>] of /v1/keyboards/<kb>/info.json,
// keyboard.json / info.json merged along the folder path (parent first, child wins). Other merged keys stay.
export const keyboardInfo = z.looseObject({
  keyboard_name: z.string(),
  manufacturer: z.string().optional(),
  url: z.string().optional(),
  maintainer: z.string().optional(),
  processor: z.string().optional(),
  bootloader: z.string().optional(),
  usb: z.looseObject({}).optional(),
  matrix_size: z.looseObject({ rows: z.number().int(), cols: z.number().int() }).optional(),
  layouts: z.record(z.string(), keyboardLayout),
  layout_aliases: z.record(z.string(), z.string()),
  keyboard_folder: z.string(),
  // qmk-edge addition: keycode names only this keyboard defines (its headers along the path and its
  // keyboard.json `keycodes`), accepted by the compile check besides the version's keycodes object.
  keyboard_keycodes: z.array(z.string()).optional(),
  // qmk-edge addition: legacy -> current keycode renames that differ on this keyboard from the version's
  // `renames` (RGB_* -> RM_* on a board lit by RGB Matrix), tried first.
  keycode_renames: z.record(z.string(), z.string()).optional(),
});
export type KeyboardInfo = z.infer<typeof keyboardInfo>;

// keymaps/default/keymap.json of a keyboard, when the tree has one.
export const defaultKeymap = z.looseObject({
  keyboard: z.string(),
  keymap: z.literal("default"),
  layout: z.string(),
  layers: z.array(z.array(z.string())),
  version: z.literal(1),
});
export type DefaultKeymap = z.infer<typeof defaultKeymap>;

// Every keycode and keycode-function name the tree defines, and QMK's renames of legacy names (legacy ->
// current, only renames whose target is in `names`).
export const catalogueKeycodes = z.object({
  firmware_version: firmwareVersion,
  names: z.array(z.string().min(1).max(LIMITS.keycodeChars)),
  renames: z.record(z.string().min(1).max(LIMITS.keycodeChars), z.string().min(1).max(LIMITS.keycodeChars)),
});
export type CatalogueKeycodes = z.infer<typeof catalogueKeycodes>;

export const manifestKeyboard = z.object({
  info: sha256Hex,
  readme: sha256Hex.nullable(),
  default_keymap: sha256Hex.nullable(),
});
export type ManifestKeyboard = z.infer<typeof manifestKeyboard>;

// POST /v1/agent/catalogue/:firmware_version/publish body; stored at catalogue/manifests/<sha256>.
export const catalogueManifest = z.object({
  firmware_version: firmwareVersion,
  // Shown by Configurator as is, e.g. "2026-12-02 19:00:00 UTC".
  last_updated: z.string().min(1).max(64),
  keyboards: z.record(keyboardName, manifestKeyboard),
  // DEFAULT_FOLDER parents and keyboard_aliases, resolved to a keyboard of `keyboards`.
  aliases: z.record(keyboardName, keyboardName),
  keycodes: sha256Hex,
});
export type CatalogueManifest = z.infer<typeof catalogueManifest>;

// catalogue/current/<firmware_version>.json, written last: readers see the old catalogue or the new one.
export const cataloguePointer = z.object({ manifest: sha256Hex, published_at: isoTimestamp });
export type CataloguePointer = z.infer<typeof cataloguePointer>;

export const catalogueMissingRequest = z.object({
  sha256: z
    .array(sha256Hex)
    .max(CATALOGUE_LIMITS.missingQuery, `at most ${CATALOGUE_LIMITS.missingQuery} digests`),
});
export type CatalogueMissingRequest = z.infer<typeof catalogueMissingRequest>;

export const catalogueMissingResponse = z.object({ missing: z.array(sha256Hex) });
export type CatalogueMissingResponse = z.infer<typeof catalogueMissingResponse>;

export const CATALOGUE_OBJECT_CONTENT_TYPES = ["application/json", "text/markdown"] as const;

export const catalogueObjectPutResponse = z.object({
  sha256: sha256Hex,
  size: z.number().int().nonnegative(),
  // false when the object was already stored and nothing was written.
  stored: z.boolean(),
});
export type CatalogueObjectPutResponse = z.infer<typeof catalogueObjectPutResponse>;

export const cataloguePublishResponse = z.object({
  firmware_version: firmwareVersion,
  manifest: sha256Hex,
  keyboards: z.number().int().nonnegative(),
});
export type CataloguePublishResponse = z.infer<typeof cataloguePublishResponse>;

// GET /v1/keyboard_list.json
export const keyboardListResponse = z.object({
  last_updated: z.string(),
  keyboards: z.array(keyboardName),
});
export type KeyboardListResponse = z.infer<typeof keyboardListResponse>;

// GET /v1/keyboards/<kb>/info.json: the info under the name asked for (an alias too), since Configurator
// indexes keyboards[<requested kb>].
export const keyboardInfoResponse = z.object({
  last_updated: z.string(),
  keyboards: z.record(keyboardName, keyboardInfo),
});
export type KeyboardInfoResponse = z.infer<typeof keyboardInfoResponse>;

// GET /v1/skeletons/keymap: the template of every compile request Configurator sends.
export const keymapSkeleton = z.object({
  version: z.literal(1),
  notes: z.literal(""),
  documentation: z.string(),
  keyboard: z.null(),
  keymap: z.null(),
  layout: z.null(),
  layers: z.array(z.never()).length(0),
  author: z.literal(""),
});
export type KeymapSkeleton = z.infer<typeof keymapSkeleton>;

// A legacy keycode the API renamed before queueing a job, at the key that used it ("layers.0.5").
export const keycodeTranslation = z.object({ path: z.string(), from: z.string(), to: z.string() });
export type KeycodeTranslation = z.infer<typeof keycodeTranslation>;
