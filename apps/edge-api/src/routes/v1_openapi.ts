import { openApiDocument } from "@qmk-edge/schema";
import type { Route } from "../route.ts";

// GET /v1/openapi.json: the public API described from the schemas the routes validate with.
export const v1OpenApi: Route = {
  method: "GET",
  path: "/v1/openapi.json",
  handler: (c) => {
    const { config } = c.get("deps");
    c.header("Cache-Control", "public, max-age=300");
    return c.json(openApiDocument(config.serviceVersion));
  },
};
