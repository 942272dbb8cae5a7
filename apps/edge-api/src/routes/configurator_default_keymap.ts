import { readObjectText } from "../catalogue/catalogue-objects.ts";
import { catalogueResponse } from "../catalogue/catalogue-response.ts";
import { keyboardOfConfiguratorFile } from "../catalogue/configurator-keymap-names.ts";
import { readCurrentCatalogue } from "../catalogue/current-catalogue.ts";
import type { Route } from "../http/route.ts";
import { NotFoundError } from "../jobs/errors.ts";

// GET /keymaps/<letter>/<keyboard with _>_default.json: Configurator's "Load Default", from the published
// catalogue (the tree's keymaps/default/keymap.json), in the shape of Configurator's own static files:
// { keyboard, keymap: "default", layout, layers, ... } with `keyboard` the name Configurator asked for.
// A keyboard the catalogue has no default keymap for falls back to the static files served beside the API
// (a Configurator build's own keymaps/), else 404.
export const configuratorDefaultKeymap: Route = {
  method: "GET",
  path: "/keymaps/:letter/:file",
  handler: async (c) => {
    const deps = c.get("deps");
    const letter = c.req.param("letter") ?? "";
    const file = c.req.param("file") ?? "";
    const catalogue =
      /^[a-z0-9]$/.test(letter) && /^[a-z0-9_]{1,200}_default\.json$/.test(file)
        ? await readCurrentCatalogue(deps.blobs, deps.config.firmwareVersion)
        : null;
    const keyboard = catalogue ? await keyboardOfConfiguratorFile(catalogue, letter, file) : null;
    const sha256 = keyboard ? catalogue?.keyboards.get(keyboard)?.default_keymap : undefined;
    if (!keyboard || !sha256) {
      const fromStatic = await deps.staticFiles?.serve(c.req.raw);
      if (fromStatic) return fromStatic;
      throw new NotFoundError(`no default keymap at /keymaps/${letter}/${file}`);
    }
    const keymap = JSON.parse(await readObjectText(deps.blobs, sha256)) as Record<string, unknown>;
    return catalogueResponse(c, {
      etag: sha256,
      contentType: "application/json",
      body: JSON.stringify({ ...keymap, keyboard, keymap: "default" }),
    });
  },
};
