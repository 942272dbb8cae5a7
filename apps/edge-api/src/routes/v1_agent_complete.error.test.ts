import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError, status, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "complete-error-agent");

describe("POST /v1/agent/jobs/:id/complete refuses", () => {
  beforeEach(() => agent.drain());

  it("a lease that does not hold the job (409), and leaves the job running", async () => {
    const lease = await agent.leaseJob(await submit(target));
    await expectError(
      await agent.complete({ ...lease, lease_id: "2".repeat(32) }, { status: "failed" }),
      409,
    );
    expect((await status(target, lease.job.id)).status).toBe("running");
  });

  it("`finished` before the firmware is uploaded (409)", async () => {
    const lease = await agent.leaseJob(await submit(target));
    await expectError(await agent.complete(lease), 409);
  });

  it("an unknown job (404) and a body that breaks the protocol (422)", async () => {
    const lease = await agent.leaseJob(await submit(target));
    await expectError(await agent.complete({ ...lease, job: { ...lease.job, id: "d".repeat(32) } }), 404);
    const res = await agent.post(`/v1/agent/jobs/${lease.job.id}/complete`, {
      lease_id: lease.lease_id,
      status: "done",
    });
    const paths = (await expectError(res, 422)).errors?.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["status", "returncode"]));
  });
});
