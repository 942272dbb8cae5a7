import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import {
  Agent,
  compileBody,
  expectError,
  randomBytes,
  status,
  submit,
} from "../../test-support/api-client.ts";

// Revocation that bites: once the operator removes a token from the configuration, the lease it holds ends
// at its next call, and nothing it uploaded survives.

const local = new Agent(target, "revocation-fleet-agent");

describe("a revoked agent token", () => {
  it("is refused, and its next call on a lease ends that lease: the job is queued again without its uploads", async () => {
    const doomed = Agent.withToken(target, "doomedCommunity", "doomed-agent");
    const id = await submit(target, compileBody());
    const lease = await doomed.leaseJob(id);
    expect((await doomed.upload(lease, "firmware", randomBytes(3000))).status).toBe(200);
    await doomed.uploadSourceAndLog(lease);
    expect((await doomed.heartbeat(lease)).status).toBe(200);

    await target.revokeAgentToken(doomed.token);
    const refused = await doomed.heartbeat(lease);
    await expectError(refused, 401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
    // Not left running until the lease expires, and no attempt is counted against the job.
    expect(await status(target, id)).toMatchObject({ status: "queued", attempts: 0, result: null });

    const next = await local.leaseJob(id);
    await expectError(await local.complete(next), 409);
    await expectError(await doomed.complete(lease), 401);
    await expectError(await doomed.leaseResponse(), 401);
    expect((await status(target, id)).status).toBe("running");
  });

  it("cannot finish its job with a call the lease check would have taken (complete, upload)", async () => {
    const doomed = Agent.withToken(target, "doomedTrusted", "doomed-trusted-agent");
    const id = await submit(target, compileBody());
    const lease = await doomed.leaseJob(id);
    await target.revokeAgentToken(doomed.token);
    await expectError(await doomed.upload(lease, "firmware", randomBytes(100)), 401);
    expect(await status(target, id)).toMatchObject({ status: "queued", attempts: 0 });
    await expectError(await doomed.complete(lease), 401);
    expect((await status(target, id)).status).toBe("queued");
  });

  it("a refused token cannot end leases of tokens that are still configured", async () => {
    const id = await submit(target, compileBody());
    const lease = await local.leaseJob(id);
    const stranger = new Agent(target, "stranger", ["avr", "arm"], "not-a-configured-token-0001");
    await expectError(await stranger.heartbeat(lease), 401);
    await expectError(await stranger.complete(lease, { status: "failed" }), 401);
    expect(await status(target, id)).toMatchObject({ status: "running" });
    expect((await local.heartbeat(lease)).status).toBe(200);
  });
});
