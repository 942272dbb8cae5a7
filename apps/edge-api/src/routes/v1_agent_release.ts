import { LIMITS, releaseRequest } from "@qmk-edge/schema";
import { parseInput, parseJobId } from "../http/parse-input.ts";
import { readJsonBody } from "../http/request-body.ts";
import type { Route } from "../http/route.ts";

// POST /v1/agent/jobs/:id/release: hands the job back to the queue without counting an attempt; 204.
export const v1AgentRelease: Route = {
  method: "POST",
  path: "/v1/agent/jobs/:id/release",
  handler: async (c) => {
    const { dispatcher } = c.get("deps");
    const id = parseJobId(c.req.param("id"));
    const request = parseInput(releaseRequest, await readJsonBody(c.req.raw, LIMITS.bodyBytes), "release");
    await dispatcher.release(id, request, c.get("agent"));
    return c.body(null, 204);
  },
};
