import type { ServiceStatus } from "@qmk-edge/schema";
import { serviceStatus } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent } from "../../test-support/api-client.ts";

describe("GET /v1 and /v1/healthcheck", () => {
  it("is degraded while no agent has been seen, and running after a lease poll", async () => {
    for (const path of ["/v1", "/v1/healthcheck"]) {
      const res = await target.fetch(path);
      expect(res.status).toBe(200);
      const body = serviceStatus.parse(await res.json());
      expect(body.status).toBe("degraded");
      expect(body.agents_seen).toBe(0);
      expect(body.last_agent_seen_at).toBeNull();
      expect(body.firmware_version).toBe(target.firmwareVersion);
    }

    expect(await new Agent(target, "health-agent").lease()).toBeNull();

    const body = (await (await target.fetch("/v1/healthcheck")).json()) as ServiceStatus;
    expect(body.status).toBe("running");
    expect(body.agents_seen).toBe(1);
    expect(body.last_agent_seen_at).not.toBeNull();
  });
});
