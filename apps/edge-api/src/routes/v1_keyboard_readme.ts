import { readObjectText } from "../catalogue/catalogue-objects.ts";
import { catalogueResponse } from "../catalogue/catalogue-response.ts";
import { findKeyboard } from "../catalogue/keyboard-lookup.ts";
import type { Route } from "../http/route.ts";
import { NotFoundError } from "../jobs/errors.ts";

// GET /v1/keyboards/<kb>/readme.md: the keyboard's readme.md as the tree has it.
export const v1KeyboardReadme: Route = {
  method: "GET",
  path: "/v1/keyboards/:keyboard{.+}/readme.md",
  handler: async (c) => {
    const deps = c.get("deps");
    const kb = await findKeyboard(deps, c.req.param("keyboard"));
    if (!kb.entry.readme) throw new NotFoundError(`keyboard ${kb.resolved} has no readme.md`);
    return catalogueResponse(c, {
      etag: kb.entry.readme,
      contentType: "text/markdown; charset=utf-8",
      body: await readObjectText(deps.blobs, kb.entry.readme),
    });
  },
};
