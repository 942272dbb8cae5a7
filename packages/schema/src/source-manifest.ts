import { z } from "zod";
import {
  firmwareVersion,
  jobId,
  keyboardName,
  keymapName,
  layoutName,
  sha256Hex,
  toolchain,
} from "./names.ts";

// MANIFEST.json at the root of every source zip: what was built, from which tree, and how to build it again.
// It crosses a process boundary (the agent writes it, users and tests read it), so it is a schema here.

export const SOURCE_MANIFEST_NAME = "MANIFEST.json";
export const SOURCE_MANIFEST_FORMAT = "qmk-edge-source/1";

export const treeOrigin = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("path"), path: z.string() }),
  z.object({ kind: z.literal("git"), url: z.string(), ref: z.string(), commit: z.string() }),
]);
export type TreeOrigin = z.infer<typeof treeOrigin>;

const fileRef = z.object({
  filename: z.string().min(1),
  sha256: sha256Hex,
  size: z.number().int().nonnegative(),
});

export const sourceManifest = z.object({
  format: z.literal(SOURCE_MANIFEST_FORMAT),
  job_id: jobId,
  keyboard: keyboardName,
  // The folder under keyboards/ that was built: `keyboard` after keyboard_aliases and DEFAULT_FOLDER.
  keyboard_folder: keyboardName.optional(),
  keymap: keymapName,
  layout: layoutName,
  firmware_version: firmwareVersion,
  toolchain,
  // The user-facing command that rebuilds this firmware in the tree, e.g. `make handwired/edge_pad:mine`.
  command: z.string().min(1),
  // Where the zip holds the request as keymap.json (outside the keymap dir, which holds keymap.c only).
  keymap_json: z.string().min(1).optional(),
  firmware: fileRef,
  tree: z.object({
    origin: treeOrigin,
    // The complete tree this build used; built once per version by the agent that made this zip and
    // uploaded with the job as its `tree` artifact. null when the agent could not make it.
    archive: fileRef.extend({ where: z.string() }).nullable(),
  }),
  reproduce: z.array(z.string()),
});
export type SourceManifest = z.infer<typeof sourceManifest>;
