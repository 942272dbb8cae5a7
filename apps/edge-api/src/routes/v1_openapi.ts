import { openApiDocument } from "@qmk-edge/schema";
import type { Route } from "../http/route.ts";

// Built once per service version: generating JSON Schema from zod is work no request should repeat.
const documents = new Map<string, Record<string, unknown>>();
function documentFor(version: string): Record<string, unknown> {
  let doc = documents.get(version);
  if (!doc) {
    doc = openApiDocument(version);
    documents.set(version, doc);
  }
  return doc;
}

// GET /v1/openapi.json: the public API described from the schemas the routes validate with.
export const v1OpenApi: Route = {
  method: "GET",
  path: "/v1/openapi.json",
  handler: (c) => {
    const { config } = c.get("deps");
    c.header("Cache-Control", "public, max-age=300");
    return c.json(documentFor(config.serviceVersion));
  },
};
