import { leaseResponse } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "lease-agent");

describe("POST /v1/agent/lease", () => {
  beforeEach(() => agent.drain());

  it("hands out the oldest queued job with a lease, and 204 once none is left", async () => {
    const first = await submit(target);
    const second = await submit(target);
    await target.deliverQueue();
    const a = leaseResponse.parse(await agent.lease());
    expect(a.job.id).toBe(first);
    expect(a.job.attempts).toBe(0);
    expect(a.job.content_key).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(a.lease_expires_at)).not.toBeNaN();
    const b = leaseResponse.parse(await agent.lease());
    expect(b.job.id).toBe(second);
    expect(b.lease_id).not.toBe(a.lease_id);
    const none = await agent.leaseResponse(0);
    expect(none.status).toBe(204);
    expect(await none.text()).toBe("");
  });

  it("leases a job to one agent at a time, even when agents ask at once", async () => {
    const id = await submit(target);
    await target.deliverQueue();
    const agents = Array.from({ length: 5 }, (_, i) => new Agent(target, `racer-${i}`));
    const leases = await Promise.all(agents.map((a) => a.lease()));
    expect(leases.filter((l) => l?.job.id === id)).toHaveLength(1);
  });

  it("gives an agent only jobs of its firmware version", async () => {
    await submit(target);
    await target.deliverQueue();
    expect((await agent.leaseResponse(0, "some-other-version")).status).toBe(204);
    expect(await agent.lease()).not.toBeNull();
  });

  it("learns a keyboard's toolchain from a finished build and leases its next jobs only to agents with it", async () => {
    const keyboard = `arm_board_${Date.now().toString(36)}`;
    const first = await submit(target, compileBody({ keyboard }));
    const armAgent = new Agent(target, "arm-agent", ["arm"]);
    const lease = await armAgent.leaseJob(first);
    expect((await armAgent.upload(lease, "firmware", new Uint8Array([1, 2, 3]))).status).toBe(200);
    await armAgent.uploadSourceAndLog(lease);
    expect((await armAgent.complete(lease, { toolchain: "arm", firmware_filename: "x.bin" })).status).toBe(
      200,
    );

    const second = await submit(target, compileBody({ keyboard }));
    await target.deliverQueue();
    const avrAgent = new Agent(target, "avr-agent", ["avr"]);
    expect(await avrAgent.lease()).toBeNull();
    expect((await armAgent.lease())?.job.id).toBe(second);
  });

  it("long-polls: a waiting agent gets a job submitted while it waits", async () => {
    const waiting = agent.lease(10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const id = await submit(target);
    await target.deliverQueue();
    expect((await waiting)?.job.id).toBe(id);
  });
});
