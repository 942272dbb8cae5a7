import { readObjectText } from "../catalogue/catalogue-objects.ts";
import { catalogueResponse } from "../catalogue/catalogue-response.ts";
import { findKeyboard } from "../catalogue/keyboard-lookup.ts";
import type { Route } from "../http/route.ts";
import { NotFoundError } from "../jobs/errors.ts";

// GET /v1/keyboards/<kb>/keymaps/default: keymaps/default/keymap.json, for keyboards whose tree has one
// (a default keymap written only in C has none).
export const v1KeyboardDefaultKeymap: Route = {
  method: "GET",
  path: "/v1/keyboards/:keyboard{.+}/keymaps/default",
  handler: async (c) => {
    const deps = c.get("deps");
    const kb = await findKeyboard(deps, c.req.param("keyboard"));
    const sha256 = kb.entry.default_keymap;
    if (!sha256) throw new NotFoundError(`keyboard ${kb.resolved} has no keymaps/default/keymap.json`);
    return catalogueResponse(c, {
      etag: sha256,
      contentType: "application/json",
      body: await readObjectText(deps.blobs, sha256),
    });
  },
};
