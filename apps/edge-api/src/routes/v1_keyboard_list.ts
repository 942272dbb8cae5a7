import { catalogueResponse } from "../catalogue/catalogue-response.ts";
import { requireCatalogue } from "../catalogue/current-catalogue.ts";
import type { Route } from "../http/route.ts";

// GET /v1/keyboard_list.json: every keyboard of the served firmware version's catalogue, sorted, as QMK's
// keyboards API answers (aliases are not listed; they resolve when asked for).
export const v1KeyboardList: Route = {
  method: "GET",
  path: "/v1/keyboard_list.json",
  handler: async (c) => {
    const { blobs, config } = c.get("deps");
    const catalogue = await requireCatalogue(blobs, config.firmwareVersion);
    return catalogueResponse(c, {
      etag: catalogue.manifestSha256,
      contentType: "application/json",
      body: catalogue.listJson,
    });
  },
};
