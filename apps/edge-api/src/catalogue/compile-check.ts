import { type ParsedCompileRequest, translateKeycodes } from "@qmk-edge/keymap";
import type { FieldError, KeycodeTranslation } from "@qmk-edge/schema";
import { InvalidInputError } from "../http/request-errors.ts";
import type { BlobStore } from "../ports/blob-store.ts";
import { readKeyboardLayouts, readKeycodes } from "./catalogue-objects.ts";
import { readCurrentCatalogue, resolveKeyboard } from "./current-catalogue.ts";

export interface CheckedRequest {
  // The request to build: with legacy keycodes renamed when any were.
  request: ParsedCompileRequest;
  translations: KeycodeTranslation[];
  // The digest of the published manifest it was checked against; null when none is published.
  catalogue: string | null;
}

function refuse(errors: FieldError[]): never {
  throw new InvalidInputError("the compile request does not fit the firmware's catalogue", errors);
}

// POST /v1/compile against the published catalogue of the served firmware version: the keyboard (through
// aliases), its layout (through layout_aliases), the key count of each layer and every keycode are checked
// here, so a request that cannot build is refused at once instead of failing in make minutes later.
// Without a published catalogue the request passes unchanged and the agent checks it.
export async function checkAgainstCatalogue(
  blobs: BlobStore,
  firmwareVersion: string,
  request: ParsedCompileRequest,
): Promise<CheckedRequest> {
  const catalogue = await readCurrentCatalogue(blobs, firmwareVersion);
  if (!catalogue) return { request, translations: [], catalogue: null };

  const keyboard = resolveKeyboard(catalogue, request.keyboard);
  if (!keyboard) {
    refuse([
      { path: "keyboard", message: `unknown keyboard ${request.keyboard} for firmware ${firmwareVersion}` },
    ]);
  }
  const info = await readKeyboardLayouts(blobs, keyboard.entry.info);
  const layoutName = Object.hasOwn(info.layouts, request.layout)
    ? request.layout
    : info.layout_aliases && Object.hasOwn(info.layout_aliases, request.layout)
      ? info.layout_aliases[request.layout]
      : undefined;
  const layout =
    layoutName !== undefined && Object.hasOwn(info.layouts, layoutName)
      ? info.layouts[layoutName]
      : undefined;
  if (!layout) {
    const known = Object.keys(info.layouts).sort().join(", ");
    refuse([
      {
        path: "layout",
        message: `unknown layout ${request.layout} for keyboard ${keyboard.name}; it has ${known}`,
      },
    ]);
  }

  const keys = layout.layout.length;
  const errors: FieldError[] = [];
  request.layers.forEach((layer, i) => {
    if (layer.length !== keys) {
      errors.push({
        path: `layers.${i}`,
        message: `has ${layer.length} keys; ${layoutName} of ${keyboard.name} has ${keys}`,
      });
    }
  });
  const keycodes = await readKeycodes(blobs, catalogue.keycodesSha256);
  const names = info.keyboard_keycodes?.length
    ? new Set([...keycodes.names, ...info.keyboard_keycodes])
    : keycodes.names;
  // The keyboard's own renames (RGB_* -> RM_* on an RGB Matrix board) before the version's.
  const own = info.keycode_renames ? Object.entries(info.keycode_renames) : [];
  const translated = translateKeycodes(request, names, {
    renames: own.length ? new Map([...keycodes.renames, ...own]) : keycodes.renames,
    firmwareVersion,
  });
  errors.push(...translated.errors);
  if (errors.length > 0) refuse(errors);
  return {
    request: translated.request,
    translations: translated.translations,
    catalogue: catalogue.manifestSha256,
  };
}
