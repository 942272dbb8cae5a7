import { LIMITS, leaseRequest } from "@qmk-edge/schema";
import { parseInput } from "../http/parse-input.ts";
import { readJsonBody } from "../http/request-body.ts";
import type { Route } from "../http/route.ts";

// POST /v1/agent/lease: long-polls up to wait_ms (at most LEASE_MAX_WAIT_MS; absent = answer at once) for a job
// this agent can build (same firmware version, a toolchain it has); 200 with the job and its lease, or 204.
export const v1AgentLease: Route = {
  method: "POST",
  path: "/v1/agent/lease",
  handler: async (c) => {
    const { dispatcher, metrics, now } = c.get("deps");
    const request = parseInput(
      leaseRequest,
      await readJsonBody(c.req.raw, LIMITS.bodyBytes),
      "lease request",
    );
    const seen = {
      agentId: request.agent_id,
      firmwareVersion: request.firmware_version,
      toolchains: request.toolchains,
    };
    metrics.record([{ kind: "agent", ...seen, at: now().toISOString() }]);
    const leased = await dispatcher.lease(
      { ...request, wait_ms: request.wait_ms ?? 0 },
      c.get("agent"),
      c.req.raw.signal,
    );
    if (!leased) return c.body(null, 204);
    return c.json(leased);
  },
};
