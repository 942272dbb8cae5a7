import {
  CATALOGUE_LIMITS,
  type CatalogueManifest,
  catalogueKeycodes,
  type FieldError,
} from "@qmk-edge/schema";
import { InvalidInputError } from "../http/request-errors.ts";
import { StateConflictError } from "../jobs/errors.ts";
import type { BlobStore } from "../ports/blob-store.ts";
import { readObjectText } from "./catalogue-objects.ts";
import { storedObjectDigests } from "./stored-objects.ts";

// What a manifest must satisfy before its pointer is written: each alias names a keyboard, every object it
// names is stored, and the keycodes object is of its version.

export function checkAliases(manifest: CatalogueManifest): void {
  const errors: FieldError[] = Object.entries(manifest.aliases)
    .filter(([, target]) => !Object.hasOwn(manifest.keyboards, target))
    .map(([alias, target]) => ({
      path: `aliases.${alias}`,
      message: `names ${target}, which is not a keyboard of this manifest`,
    }));
  if (errors.length > 0) throw new InvalidInputError("aliases must name keyboards of the manifest", errors);
}

function referencedObjects(manifest: CatalogueManifest): { path: string; sha256: string }[] {
  const refs = [{ path: "keycodes", sha256: manifest.keycodes }];
  for (const [name, entry] of Object.entries(manifest.keyboards)) {
    refs.push({ path: `keyboards.${name}.info`, sha256: entry.info });
    if (entry.readme) refs.push({ path: `keyboards.${name}.readme`, sha256: entry.readme });
    if (entry.default_keymap)
      refs.push({ path: `keyboards.${name}.default_keymap`, sha256: entry.default_keymap });
  }
  return refs;
}

export async function checkObjectsStored(blobs: BlobStore, manifest: CatalogueManifest): Promise<void> {
  const stored = await storedObjectDigests(blobs);
  const missing = referencedObjects(manifest).filter((ref) => !stored.has(ref.sha256));
  if (missing.length === 0) return;
  const shown = missing.slice(0, CATALOGUE_LIMITS.missingReported);
  throw new StateConflictError(
    `${missing.length} object(s) the manifest names are not stored; upload them first${missing.length > shown.length ? ` (the first ${shown.length} are listed)` : ""}`,
    shown.map((ref) => ({ path: ref.path, message: `object ${ref.sha256} is not stored` })),
  );
}

export async function checkKeycodesObject(blobs: BlobStore, manifest: CatalogueManifest): Promise<void> {
  let text: string;
  try {
    text = await readObjectText(blobs, manifest.keycodes);
  } catch {
    throw new StateConflictError("the keycodes object is not stored", [
      { path: "keycodes", message: "not stored" },
    ]);
  }
  let parsed: ReturnType<typeof catalogueKeycodes.safeParse>;
  try {
    parsed = catalogueKeycodes.safeParse(JSON.parse(text));
  } catch {
    parsed = catalogueKeycodes.safeParse(undefined);
  }
  if (!parsed.success) {
    throw new InvalidInputError("the keycodes object is not a keycodes list", [
      { path: "keycodes", message: parsed.error.issues[0]?.message ?? "not a keycodes list" },
    ]);
  }
  if (parsed.data.firmware_version !== manifest.firmware_version) {
    throw new InvalidInputError("the keycodes object is of another firmware version", [
      {
        path: "keycodes",
        message: `lists the keycodes of ${parsed.data.firmware_version}, not ${manifest.firmware_version}`,
      },
    ]);
  }
}
