import { type DisconnectResponse, disconnectRequest, LIMITS } from "@qmk-edge/schema";
import { parseInput } from "../http/parse-input.ts";
import { readJsonBody } from "../http/request-body.ts";
import type { Route } from "../http/route.ts";

// POST /v1/agent/disconnect: the agent's last call before it exits. Its lease polls end (204) and every lease
// it still holds under this token goes back to the queue without counting an attempt; 200 { released }.
// Without it, a job that arrives while an exiting agent's poll is still open waits for that lease to
// expire: workerd does not tell the Worker that the client of a long poll went away.
export const v1AgentDisconnect: Route = {
  method: "POST",
  path: "/v1/agent/disconnect",
  handler: async (c) => {
    const { dispatcher } = c.get("deps");
    const request = parseInput(
      disconnectRequest,
      await readJsonBody(c.req.raw, LIMITS.bodyBytes),
      "disconnect request",
    );
    const released = await dispatcher.disconnect(request.agent_id, c.get("agent"));
    return c.json({ released } satisfies DisconnectResponse);
  },
};
