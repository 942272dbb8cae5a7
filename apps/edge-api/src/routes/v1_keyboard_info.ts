import { readObjectText } from "../catalogue/catalogue-objects.ts";
import { catalogueResponse } from "../catalogue/catalogue-response.ts";
import { findKeyboard } from "../catalogue/keyboard-lookup.ts";
import type { Route } from "../http/route.ts";

// GET /v1/keyboards/<kb>/info.json (<kb> has slashes). The info sits under the name asked for, an alias
// too, since Configurator reads keyboards[<the name it asked for>]. The stored object is spliced in as text:
// it was checked to be JSON when uploaded.
export const v1KeyboardInfo: Route = {
  method: "GET",
  path: "/v1/keyboards/:keyboard{.+}/info.json",
  handler: async (c) => {
    const deps = c.get("deps");
    const kb = await findKeyboard(deps, c.req.param("keyboard"));
    const info = await readObjectText(deps.blobs, kb.entry.info);
    const body = `{"last_updated":${JSON.stringify(kb.catalogue.lastUpdated)},"keyboards":{${JSON.stringify(kb.requested)}:${info}}}`;
    return catalogueResponse(c, {
      etag: `${kb.catalogue.manifestSha256.slice(0, 32)}-${kb.entry.info.slice(0, 32)}`,
      contentType: "application/json",
      body,
    });
  },
};
