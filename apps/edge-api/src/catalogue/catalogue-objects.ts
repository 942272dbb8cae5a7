import { catalogueKeycodes, keyboardInfo } from "@qmk-edge/schema";
import type { z } from "zod";
import type { BlobStore } from "../ports/blob-store.ts";
import { DigestMemo } from "./memo.ts";
import { objectKey } from "./store-keys.ts";

// Reads of the content-addressed catalogue objects a manifest names.

// Only what the compile check reads: an info object with an odd other key must not make compiles fail.
const keyboardLayouts = keyboardInfo
  .pick({ layouts: true, layout_aliases: true, keyboard_keycodes: true, keycode_renames: true })
  .partial({ layout_aliases: true });
export type KeyboardLayouts = z.infer<typeof keyboardLayouts>;

export interface KeycodeSet {
  names: ReadonlySet<string>;
  renames: ReadonlyMap<string, string>;
}

// Keyboards are looked up one at a time (a few KiB each) but the same few again and again; keycodes are
// one object per version, read by every compile request.
const infos = new DigestMemo<KeyboardLayouts>(256);
const keycodeSets = new DigestMemo<KeycodeSet>(2);

// A manifest is only published once every object it names is stored, so a missing one is a broken store.
export async function readObjectText(blobs: BlobStore, sha256: string): Promise<string> {
  const blob = await blobs.get(objectKey(sha256));
  if (!blob) throw new Error(`catalogue object ${sha256} is missing from storage`);
  return new Response(blob.body).text();
}

export function readKeyboardLayouts(blobs: BlobStore, sha256: string): Promise<KeyboardLayouts> {
  return infos.get(sha256, async () =>
    keyboardLayouts.parse(JSON.parse(await readObjectText(blobs, sha256))),
  );
}

export function readKeycodes(blobs: BlobStore, sha256: string): Promise<KeycodeSet> {
  return keycodeSets.get(sha256, async () => {
    const keycodes = catalogueKeycodes.parse(JSON.parse(await readObjectText(blobs, sha256)));
    return { names: new Set(keycodes.names), renames: new Map(Object.entries(keycodes.renames)) };
  });
}
