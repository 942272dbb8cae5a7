import type { BlobStore } from "../ports/blob-store.ts";
import { OBJECTS_PREFIX } from "./store-keys.ts";

// The digests of every stored catalogue object, from one listing of the prefix: a publish naming thousands
// of objects costs a few list pages instead of one round trip per object.
export async function storedObjectDigests(blobs: BlobStore): Promise<Set<string>> {
  const keys = await blobs.list(OBJECTS_PREFIX);
  return new Set(
    keys.filter((key) => key.startsWith(OBJECTS_PREFIX)).map((key) => key.slice(OBJECTS_PREFIX.length)),
  );
}
