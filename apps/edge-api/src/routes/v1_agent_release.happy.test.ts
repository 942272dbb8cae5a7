import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError, status, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "release-agent");

describe("POST /v1/agent/jobs/:id/release", () => {
  beforeEach(() => agent.drain());

  it("hands the job back without counting an attempt, and another agent gets it", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    const res = await agent.post(`/v1/agent/jobs/${id}/release`, {
      lease_id: lease.lease_id,
      reason: "shutting down",
    });
    expect(res.status).toBe(204);
    expect(await status(target, id)).toMatchObject({ status: "queued", attempts: 0 });
    const next = await new Agent(target, "other-agent").leaseJob(id);
    expect(next.job.attempts).toBe(0);
    await expectError(
      await agent.post(`/v1/agent/jobs/${id}/release`, { lease_id: lease.lease_id, reason: "again" }),
      409,
    );
  });
});
