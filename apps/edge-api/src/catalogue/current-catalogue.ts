import {
  type CatalogueManifest,
  catalogueManifest,
  cataloguePointer,
  type KeyboardListResponse,
  type ManifestKeyboard,
} from "@qmk-edge/schema";
import { NotFoundError } from "../jobs/errors.ts";
import { ExpiringMemo } from "../memo/bounded-memo.ts";
import { type BlobStore, readBlobText } from "../ports/blob-store.ts";
import { DigestMemo } from "./memo.ts";
import { manifestKey, pointerKey } from "./store-keys.ts";

// The published catalogue of one firmware version, parsed once per manifest.
export interface Catalogue {
  firmwareVersion: string;
  manifestSha256: string;
  lastUpdated: string;
  keycodesSha256: string;
  // Maps, not the manifest's plain objects: a name like "constructor" must not find Object.prototype's.
  keyboards: ReadonlyMap<string, ManifestKeyboard>;
  aliases: ReadonlyMap<string, string>;
  // GET /v1/keyboard_list.json, serialised once.
  listJson: string;
}

// A real tree's manifest is about 1 MiB; parsing it per request would cost more than serving it. Two entries:
// the current catalogue and the one it replaces, while requests on the old one finish.
const manifests = new DigestMemo<Catalogue>(2);

export function catalogueOf(manifest: CatalogueManifest, manifestSha256: string): Catalogue {
  const list: KeyboardListResponse = {
    last_updated: manifest.last_updated,
    keyboards: Object.keys(manifest.keyboards).sort(),
  };
  return {
    firmwareVersion: manifest.firmware_version,
    manifestSha256,
    lastUpdated: manifest.last_updated,
    keycodesSha256: manifest.keycodes,
    keyboards: new Map(Object.entries(manifest.keyboards)),
    aliases: new Map(Object.entries(manifest.aliases)),
    listJson: JSON.stringify(list),
  };
}

async function readJson(blobs: BlobStore, key: string): Promise<unknown | null> {
  const text = await readBlobText(blobs, key);
  return text === null ? null : JSON.parse(text);
}

// The pointer is what publish replaces, so it is memoised briefly per store: a publish through this process
// shows at once (forgetCurrentCatalogue), one through another process or isolate within POINTER_MEMO_MS.
// "No catalogue" is memoised the same way.
export const POINTER_MEMO_MS = 5_000;
const pointers = new WeakMap<BlobStore, ExpiringMemo<string | null>>();

function pointerMemo(blobs: BlobStore): ExpiringMemo<string | null> {
  let memo = pointers.get(blobs);
  if (!memo) {
    memo = new ExpiringMemo<string | null>(64, POINTER_MEMO_MS);
    pointers.set(blobs, memo);
  }
  return memo;
}

// The publish route calls this after writing a new pointer.
export function forgetCurrentCatalogue(blobs: BlobStore, firmwareVersion: string): void {
  pointers.get(blobs)?.delete(firmwareVersion);
}

// The digest of the manifest the pointer of `firmwareVersion` names (what a catalogue's answers depend on), or
// null when none is published.
export async function currentManifestSha256(
  blobs: BlobStore,
  firmwareVersion: string,
): Promise<string | null> {
  const memo = pointerMemo(blobs);
  const known = memo.lookup(firmwareVersion);
  if (known.found) return known.value;
  const pointer = await readJson(blobs, pointerKey(firmwareVersion));
  const sha256 = pointer === null ? null : cataloguePointer.parse(pointer).manifest;
  memo.set(firmwareVersion, sha256);
  return sha256;
}

// The catalogue the pointer of `firmwareVersion` names, or null when none is published. The manifest it
// names is immutable and memoised by its digest.
export async function readCurrentCatalogue(
  blobs: BlobStore,
  firmwareVersion: string,
): Promise<Catalogue | null> {
  const sha256 = await currentManifestSha256(blobs, firmwareVersion);
  if (sha256 === null) return null;
  return manifests.get(sha256, async () => {
    const manifest = await readJson(blobs, manifestKey(sha256));
    if (manifest === null)
      throw new Error(`catalogue pointer of ${firmwareVersion} names a missing manifest ${sha256}`);
    return catalogueOf(catalogueManifest.parse(manifest), sha256);
  });
}

// The public routes' answer when nothing is published: 404, saying so.
export async function requireCatalogue(blobs: BlobStore, firmwareVersion: string): Promise<Catalogue> {
  const catalogue = await readCurrentCatalogue(blobs, firmwareVersion);
  if (!catalogue) throw new NotFoundError(`no catalogue is published for ${firmwareVersion}`);
  return catalogue;
}

// A keyboard name or alias (DEFAULT_FOLDER parents, keyboard_aliases) to the keyboard it names, or null.
export function resolveKeyboard(
  catalogue: Catalogue,
  name: string,
): { name: string; entry: ManifestKeyboard } | null {
  const direct = catalogue.keyboards.get(name);
  if (direct) return { name, entry: direct };
  const target = catalogue.aliases.get(name);
  const entry = target === undefined ? undefined : catalogue.keyboards.get(target);
  return target !== undefined && entry ? { name: target, entry } : null;
}
