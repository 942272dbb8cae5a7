import type { ManifestKeyboard } from "@qmk-edge/schema";
import type { Deps } from "../deps.ts";
import { NotFoundError } from "../jobs/errors.ts";
import { type Catalogue, requireCatalogue, resolveKeyboard } from "./current-catalogue.ts";
import { parseKeyboardParam } from "./url-params.ts";

export interface FoundKeyboard {
  catalogue: Catalogue;
  // The name in the URL (answers are keyed by it) and the keyboard it resolved to.
  requested: string;
  resolved: string;
  entry: ManifestKeyboard;
}

// The keyboard a public route's URL names: a malformed name is 400 before the store is read, one the
// current catalogue lacks is 404.
export async function findKeyboard(deps: Deps, param: string | undefined): Promise<FoundKeyboard> {
  const requested = parseKeyboardParam(param);
  const version = deps.config.firmwareVersion;
  const catalogue = await requireCatalogue(deps.blobs, version);
  const found = resolveKeyboard(catalogue, requested);
  if (!found) throw new NotFoundError(`no keyboard ${requested} in the catalogue of ${version}`);
  return { catalogue, requested, resolved: found.name, entry: found.entry };
}
