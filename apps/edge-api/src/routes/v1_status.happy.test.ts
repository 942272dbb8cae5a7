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

describe("GET /v1 follows the agents at once (issue 18)", () => {
  const version = (name: string) => `${name}-${Date.now().toString(36)}`;

  it("is degraded as soon as the only agent of the version says goodbye", async () => {
    const firmware = version("goodbye");
    const api = await target.withEnv({ FIRMWARE_VERSION: firmware });
    const agent = new Agent(target, "leaving-agent");
    try {
      const poll = await agent.leaseResponse(0, firmware);
      expect(poll.status).toBe(204);
      const before = serviceStatus.parse(await (await api.fetch("/v1")).json());
      expect(before).toMatchObject({ status: "running", agents_for_firmware_version: 1 });

      expect((await agent.post("/v1/agent/disconnect", { agent_id: agent.id })).status).toBe(200);
      const after = await api.fetch("/v1");
      expect(after.status).toBe(200);
      expect(serviceStatus.parse(await after.json())).toMatchObject({
        status: "degraded",
        agents_for_firmware_version: 0,
      });
    } finally {
      await api.close();
    }
  });

  it("answers 200 with status `down` when its own queue does not answer", async () => {
    const down = await target.withQueueDown();
    try {
      const res = await down.fetch("/v1");
      expect(res.status).toBe(200);
      expect(serviceStatus.parse(await res.json())).toMatchObject({
        status: "down",
        problem: expect.any(String),
        queue_length: 0,
      });
    } finally {
      await down.close();
    }
  });
});
