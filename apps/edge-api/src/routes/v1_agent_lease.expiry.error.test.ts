import { compileStatus } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError, randomBytes, status, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "expiry-agent");
// Far enough ahead that every lease handed out in this test has expired; no test waits for real time.
const later = () => new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString();

describe("an expired lease", () => {
  beforeEach(() => agent.drain());

  it("puts the job back in the queue with attempts + 1, and the next agent gets it", async () => {
    const id = await submit(target);
    const first = await agent.leaseJob(id);
    expect(await target.reapExpiredLeases(new Date(Date.now() - 1000).toISOString())).toBe(0);
    expect(await target.reapExpiredLeases(later())).toBe(1);

    const requeued = compileStatus.parse(await status(target, id));
    expect(requeued).toMatchObject({ status: "queued", attempts: 1, stage: null });

    const second = await new Agent(target, "second-agent").leaseJob(id);
    expect(second.job.attempts).toBe(1);
    expect(second.lease_id).not.toBe(first.lease_id);

    // The first agent's lease is stale everywhere.
    await expectError(await agent.heartbeat(first), 409);
    await expectError(await agent.upload(first, "firmware", randomBytes(8)), 409);
    await expectError(await agent.complete(first), 409);
    await expectError(
      await agent.post(`/v1/agent/jobs/${id}/release`, { lease_id: first.lease_id, reason: "x" }),
      409,
    );
  });

  it("fails the job with a reason after the last attempt", async () => {
    const id = await submit(target);
    for (let attempt = 0; attempt < target.maxAttempts; attempt++) {
      const lease = await agent.leaseJob(id);
      expect(lease.job.attempts).toBe(attempt);
      await target.reapExpiredLeases(later());
    }
    const failed = compileStatus.parse(await status(target, id));
    expect(failed).toMatchObject({
      status: "failed",
      is_failed: true,
      attempts: target.maxAttempts,
      is_finished: false,
    });
    expect(failed.failure_reason).toMatch(/lease expired/);
    // v1 clients read result.returncode/output: an internal failure is -3 with the reason as the output.
    expect(failed.result).toMatchObject({ returncode: -3, firmware_filename: null });
    expect(failed.result?.output).toMatch(/lease expired/);
    expect(await agent.lease()).toBeNull();
  });

  // The Durable Object's alarm fires at exactly the earliest expiry: a lease must count as expired then,
  // or the alarm is set again for the same moment and never fires.
  it("expires at exactly its expiry time, not only after it", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    await target.reapExpiredLeases(new Date(Date.parse(lease.lease_expires_at)).toISOString());
    expect(await status(target, id)).toMatchObject({ status: "queued", attempts: 1 });
  });

  it("is extended by heartbeats", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    const beat = (await (await agent.heartbeat(lease)).json()) as { lease_expires_at: string };
    expect(Date.parse(beat.lease_expires_at)).toBeGreaterThanOrEqual(Date.parse(lease.lease_expires_at));
    await target.reapExpiredLeases(new Date(Date.parse(lease.lease_expires_at) - 1).toISOString());
    expect((await status(target, id)).status).toBe("running");
  });
});
