import { catalogueKeycodes, type KeyboardInfo, keyboardInfo } from "@qmk-edge/schema";
import type { BlobStore } from "../ports/blob-store.ts";
import { DigestMemo } from "./memo.ts";
import { objectKey } from "./store-keys.ts";

// Reads of the content-addressed catalogue objects a manifest names.

export interface KeycodeSet {
  names: ReadonlySet<string>;
  renames: ReadonlyMap<string, string>;
}

// Keyboards are looked up one at a time (a few KiB each) but the same few again and again; keycodes are
// one object per version, read by every compile request.
const infos = new DigestMemo<{ text: string; info: KeyboardInfo }>(256);
const keycodeSets = new DigestMemo<KeycodeSet>(2);

// A manifest is only published once every object it names is stored, so a missing one is a broken store.
export async function readObjectText(blobs: BlobStore, sha256: string): Promise<string> {
  const blob = await blobs.get(objectKey(sha256));
  if (!blob) throw new Error(`catalogue object ${sha256} is missing from storage`);
  return new Response(blob.body).text();
}

export function readKeyboardInfo(
  blobs: BlobStore,
  sha256: string,
): Promise<{ text: string; info: KeyboardInfo }> {
  return infos.get(sha256, async () => {
    const text = await readObjectText(blobs, sha256);
    return { text, info: keyboardInfo.parse(JSON.parse(text)) };
  });
}

export function readKeycodes(blobs: BlobStore, sha256: string): Promise<KeycodeSet> {
  return keycodeSets.get(sha256, async () => {
    const keycodes = catalogueKeycodes.parse(JSON.parse(await readObjectText(blobs, sha256)));
    return { names: new Set(keycodes.names), renames: new Map(Object.entries(keycodes.renames)) };
  });
}
