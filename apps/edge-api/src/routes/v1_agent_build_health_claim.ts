import { type BuildHealthClaim, buildHealthClaimRequest, LIMITS } from "@qmk-edge/schema";
import { readCurrentCatalogue } from "../catalogue/current-catalogue.ts";
import { requireTrustedAgent } from "../http/agent-auth.ts";
import { parseInput } from "../http/parse-input.ts";
import { readJsonBody } from "../http/request-body.ts";
import type { Route } from "../http/route.ts";
import { dueKeyboards } from "../jobs/build-health.ts";

// POST /v1/agent/build_health/claim: an idle trusted agent asks which keyboard's default keymap to build
// for its firmware version (the agent asks only when a lease poll found no user job). 200 with the keyboard,
// or 204: switched off (BUILD_HEALTH=off), no catalogue published for the version, none due, or the
// hourly limit (BUILD_HEALTH_MAX_PER_HOUR) reached.
export const v1AgentBuildHealthClaim: Route = {
  method: "POST",
  path: "/v1/agent/build_health/claim",
  handler: async (c) => {
    const deps = c.get("deps");
    requireTrustedAgent(c.get("agent"), "building keyboards' default keymaps");
    const request = parseInput(
      buildHealthClaimRequest,
      await readJsonBody(c.req.raw, LIMITS.bodyBytes),
      "build health claim",
    );
    const policy = deps.config.buildHealth;
    if (!policy.enabled) return c.body(null, 204);
    const version = request.firmware_version;
    const catalogue = await readCurrentCatalogue(deps.blobs, version);
    if (!catalogue) return c.body(null, 204);
    const nowMs = deps.now().getTime();
    const summary = await deps.buildHealth.summary(version);
    const due = dueKeyboards(catalogue.keyboards.keys(), summary, nowMs, policy.retestSeconds);
    if (due.length === 0) return c.body(null, 204);
    const keyboard = await deps.buildHealth.claim(version, due, {
      nowMs,
      claimMs: policy.claimSeconds * 1000,
      maxPerHour: policy.maxPerHour,
      agentId: `${c.get("agent").token_id}/${request.agent_id}`,
    });
    if (keyboard === null) return c.body(null, 204);
    const body: BuildHealthClaim = {
      keyboard,
      firmware_version: version,
      claim_seconds: policy.claimSeconds,
    };
    return c.json(body);
  },
};
