import { type CatalogueMissingResponse, catalogueMissingRequest } from "@qmk-edge/schema";
import { storedObjectDigests } from "../catalogue/stored-objects.ts";
import { requireTrustedAgent } from "../http/agent-auth.ts";
import { parseInput } from "../http/parse-input.ts";
import { readJsonBody } from "../http/request-body.ts";
import type { Route } from "../http/route.ts";

// 10 000 digests of 64 hex characters, quoted and comma-separated, plus the envelope.
const MAX_BODY_BYTES = 10_000 * 67 + 1024;

// POST /v1/agent/catalogue/objects/missing: which of these objects the store lacks, so an agent uploads only
// those (a new firmware version shares most keyboards' objects with the last one).
export const v1AgentCatalogueObjectsMissing: Route = {
  method: "POST",
  path: "/v1/agent/catalogue/objects/missing",
  handler: async (c) => {
    requireTrustedAgent(c.get("agent"), "uploading the keyboard catalogue");
    const body = await readJsonBody(c.req.raw, MAX_BODY_BYTES);
    const { sha256 } = parseInput(catalogueMissingRequest, body, "missing-objects query");
    const stored = await storedObjectDigests(c.get("deps").blobs);
    const answer: CatalogueMissingResponse = { missing: [...new Set(sha256)].filter((d) => !stored.has(d)) };
    return c.json(answer);
  },
};
