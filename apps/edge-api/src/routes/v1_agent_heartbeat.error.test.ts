import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "heartbeat-agent");

describe("POST /v1/agent/jobs/:id/heartbeat refuses", () => {
  beforeEach(() => agent.drain());

  it("a stale lease (409), an unknown job (404), a malformed id (400)", async () => {
    const lease = await agent.leaseJob(await submit(target));
    await expectError(await agent.heartbeat({ ...lease, lease_id: "1".repeat(32) }), 409);
    await expectError(await agent.heartbeat({ ...lease, job: { ...lease.job, id: "e".repeat(32) } }), 404);
    await expectError(
      await agent.post("/v1/agent/jobs/xyz/heartbeat", { lease_id: lease.lease_id, stage: "compiling" }),
      400,
    );
  });

  it("an unknown stage (422 naming it)", async () => {
    const lease = await agent.leaseJob(await submit(target));
    const res = await agent.post(`/v1/agent/jobs/${lease.job.id}/heartbeat`, {
      lease_id: lease.lease_id,
      stage: "flashing",
    });
    expect((await expectError(res, 422)).errors?.[0]?.path).toBe("stage");
  });

  it("a job that already ended (409)", async () => {
    const id = await submit(target);
    const { lease } = await agent.build(id);
    await expectError(await agent.heartbeat(lease), 409);
  });
});
