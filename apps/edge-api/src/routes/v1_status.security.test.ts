import { serviceStatus } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent } from "../../test-support/api-client.ts";

describe("GET /v1", () => {
  it("stays degraded while the only agents seen cannot build the served firmware version", async () => {
    const stale = new Agent(target, "old-version-agent");
    const res = await stale.leaseResponse(0, "demo-0-old");
    expect(res.status).toBe(204);
    const degraded = serviceStatus.parse(await (await target.fetch("/v1")).json());
    expect(degraded).toMatchObject({ status: "degraded", agents_seen: 1, agents_for_firmware_version: 0 });

    expect(await new Agent(target, "current-agent").lease()).toBeNull();
    const running = serviceStatus.parse(await (await target.fetch("/v1")).json());
    expect(running).toMatchObject({ status: "running", agents_seen: 2, agents_for_firmware_version: 1 });
  });
});
