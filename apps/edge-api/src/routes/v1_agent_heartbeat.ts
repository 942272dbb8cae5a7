import { heartbeatRequest, LIMITS } from "@qmk-edge/schema";
import { parseInput, parseJobId } from "../http/parse-input.ts";
import { readJsonBody } from "../http/request-body.ts";
import type { Route } from "../http/route.ts";

// POST /v1/agent/jobs/:id/heartbeat: extends the lease and records the stage clients see in GET /v1/compile/:id.
export const v1AgentHeartbeat: Route = {
  method: "POST",
  path: "/v1/agent/jobs/:id/heartbeat",
  handler: async (c) => {
    const { dispatcher } = c.get("deps");
    const id = parseJobId(c.req.param("id"));
    const request = parseInput(
      heartbeatRequest,
      await readJsonBody(c.req.raw, LIMITS.bodyBytes),
      "heartbeat",
    );
    return c.json(await dispatcher.heartbeat(id, request, c.get("agent")));
  },
};
