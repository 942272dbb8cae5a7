import { z } from "zod";
import { firmwareVersion, isoTimestamp, layoutName, sha256Hex } from "./names.ts";

// The keyboard catalogue of one firmware version (issue 12): agents derive it from their tree and
// publish it as content-addressed objects plus one manifest; the API serves it in QMK API v1's shapes
// (/v1/keyboard_list.json, /v1/keyboards/<kb>/info.json, ...). Shapes per the catalogue contract.

// QMK's keyboard folder grammar: lower-case segments joined by "/". Wider than a compile request's
// keyboardName (QMK folders may hold "-"), so a catalogue name is checked again before it builds.
export const catalogueKeyboardName = z
  .string()
  .max(128, "at most 128 characters")
  .regex(/^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/, "path segments of [a-z0-9_-] joined by '/'")
  .refine((name) => !name.split("/").includes(".."), "no '..' segments");

export const CATALOGUE_MISSING_MAX = 10_000;
export const CATALOGUE_OBJECT_MAX_BYTES = 1024 * 1024;
export const CATALOGUE_OBJECT_CONTENT_TYPES = ["application/json", "text/markdown"] as const;

// One key of a layout, as QMK's info.json has it (Configurator draws x/y/w/h and sends keys by index).
export const catalogueLayoutKey = z.looseObject({
  label: z.string().optional(),
  matrix: z.tuple([z.number().int(), z.number().int()]),
  x: z.number(),
  y: z.number(),
  w: z.number().optional(),
  h: z.number().optional(),
});

// A keyboard info object: what QMK's API has at keyboards[<kb>] of /v1/keyboards/<kb>/info.json.
// keyboard.json / info.json merged along the path; keys beyond these are kept as the tree has them.
export const catalogueKeyboardInfo = z.looseObject({
  keyboard_name: z.string().optional(),
  manufacturer: z.string().optional(),
  url: z.string().optional(),
  maintainer: z.string().optional(),
  processor: z.string().optional(),
  bootloader: z.string().optional(),
  usb: z.record(z.string(), z.unknown()).optional(),
  matrix_size: z.object({ rows: z.number().int(), cols: z.number().int() }).optional(),
  layouts: z.record(layoutName, z.looseObject({ layout: z.array(catalogueLayoutKey) })),
  layout_aliases: z.record(z.string(), z.string()),
  keyboard_folder: catalogueKeyboardName,
});
export type CatalogueKeyboardInfo = z.infer<typeof catalogueKeyboardInfo>;

// The keycodes object: every keycode and keycode-function name the tree defines, and legacy names the
// tree no longer defines mapped to their current name (only renames whose target is in `names`).
export const catalogueKeycodes = z.object({
  firmware_version: firmwareVersion,
  names: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)),
  renames: z.record(z.string(), z.string()),
});
export type CatalogueKeycodes = z.infer<typeof catalogueKeycodes>;

export const catalogueManifestEntry = z.object({
  info: sha256Hex,
  readme: sha256Hex.nullable(),
  default_keymap: sha256Hex.nullable(),
});
export type CatalogueManifestEntry = z.infer<typeof catalogueManifestEntry>;

export const catalogueManifest = z.object({
  firmware_version: firmwareVersion,
  last_updated: z.string().min(1).max(64), // shown by Configurator as is, e.g. "2026-12-02 19:00:00 UTC"
  keyboards: z.record(catalogueKeyboardName, catalogueManifestEntry),
  aliases: z.record(catalogueKeyboardName, catalogueKeyboardName),
  keycodes: sha256Hex,
});
export type CatalogueManifest = z.infer<typeof catalogueManifest>;

// POST /v1/agent/catalogue/objects/missing
export const catalogueMissingRequest = z.object({ sha256: z.array(sha256Hex).max(CATALOGUE_MISSING_MAX) });
export type CatalogueMissingRequest = z.infer<typeof catalogueMissingRequest>;
export const catalogueMissingResponse = z.object({ missing: z.array(sha256Hex) });
export type CatalogueMissingResponse = z.infer<typeof catalogueMissingResponse>;

// POST /v1/agent/catalogue/:firmware_version/publish answers this.
export const cataloguePublishResponse = z.object({
  firmware_version: firmwareVersion,
  manifest: sha256Hex,
  keyboards: z.number().int().nonnegative(),
});
export type CataloguePublishResponse = z.infer<typeof cataloguePublishResponse>;

// catalogue/current/<version>.json in the store, written last so readers see a whole catalogue.
export const catalogueCurrent = z.object({ manifest: sha256Hex, published_at: isoTimestamp });
export type CatalogueCurrent = z.infer<typeof catalogueCurrent>;

// Public reads.
export const keyboardListResponse = z.object({
  last_updated: z.string(),
  keyboards: z.array(catalogueKeyboardName),
});
export const keyboardInfoResponse = z.object({
  last_updated: z.string(),
  keyboards: z.record(z.string(), catalogueKeyboardInfo),
});
export const keymapSkeleton = z.object({
  version: z.literal(1),
  notes: z.string(),
  documentation: z.string(),
  keyboard: z.null(),
  keymap: z.null(),
  layout: z.null(),
  layers: z.array(z.never()),
  author: z.string(),
});
