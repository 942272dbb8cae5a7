import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError } from "../../test-support/api-client.ts";
import { reportBuild } from "../../test-support/build-health.ts";

// Build health is what every Configurator user sees about a keyboard: only the operator's fleet writes it.
describe("build health is written by trusted agents only", () => {
  it("refuses a community token's claim and report (403), and no token at all (401)", async () => {
    const community = Agent.withToken(target, "communityA");
    const claim = await community.post("/v1/agent/build_health/claim", {
      agent_id: community.id,
      firmware_version: target.firmwareVersion,
    });
    await expectError(claim, 403);
    await expectError(
      await reportBuild(community, target.firmwareVersion, "handwired/qmk_edge_demo", false, "x"),
      403,
    );
    const anonymous = await target.fetch("/v1/agent/build_health/claim", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ agent_id: "x", firmware_version: target.firmwareVersion }),
    });
    expect(anonymous.status).toBe(401);
  });
});
