import { tokenId } from "@qmk-edge/schema";
import { MalformedRequestError } from "../http/request-errors.ts";
import type { Route } from "../http/route.ts";
import { purgeAgent } from "../jobs/purge-agent.ts";

// POST /v1/operator/agents/:token_id/purge (operator token): removes every build cache entry the agent token
// helped produce, and its builds waiting to be reproduced. Revoking the token (removing it from the
// configuration) stops it building; this undoes what it already put in the cache. Safe to repeat.
export const v1OperatorPurgeAgent: Route = {
  method: "POST",
  path: "/v1/operator/agents/:token_id/purge",
  handler: async (c) => {
    const id = c.req.param("token_id");
    if (!tokenId.safeParse(id).success) {
      throw new MalformedRequestError("malformed agent token name", [
        { path: "token_id", message: "1 to 64 characters of [A-Za-z0-9_.-], not starting with . or -" },
      ]);
    }
    c.header("Cache-Control", "no-store");
    const deps = c.get("deps");
    return c.json(await purgeAgent(deps.jobs, id as string, deps.now().toISOString()));
  },
};
