import { type CompleteResponse, completeRequest, LIMITS } from "@qmk-edge/schema";
import { parseInput, parseJobId } from "../http/parse-input.ts";
import { readJsonBody } from "../http/request-body.ts";
import type { Route } from "../http/route.ts";
import { endedEvents } from "../metrics/job-events.ts";

// POST /v1/agent/jobs/:id/complete: `finished` (after uploading firmware, source and log under this lease) or
// `failed`. Repeating it with the same lease answers the same result; another lease (or token) gets 409.
export const v1AgentComplete: Route = {
  method: "POST",
  path: "/v1/agent/jobs/:id/complete",
  handler: async (c) => {
    const { dispatcher, metrics } = c.get("deps");
    const id = parseJobId(c.req.param("id"));
    const request = parseInput(
      completeRequest,
      await readJsonBody(c.req.raw, LIMITS.bodyBytes),
      "completion",
    );
    const record = await dispatcher.complete(id, request, c.get("agent"));
    // Per call: an agent's completion repeated after a lost answer counts twice (rare; see docs).
    metrics.record(endedEvents(record, request));
    const body: CompleteResponse = { id, status: record.status === "failed" ? "failed" : "finished" };
    return c.json(body);
  },
};
