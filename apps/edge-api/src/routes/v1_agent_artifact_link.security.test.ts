import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError, randomBytes, sha256Hex, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "link-security-agent");

describe("POST /v1/agent/jobs/:id/artifacts/:kind/link is safe against", () => {
  it("calls without a valid agent token (401)", async () => {
    const lease = await agent.leaseJob(await submit(target));
    for (const authorization of [undefined, "Bearer wrong-token"]) {
      const res = await target.fetch(`/v1/agent/jobs/${lease.job.id}/artifacts/tree/link`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({
          lease_id: lease.lease_id,
          sha256: "a".repeat(64),
          size: 1,
          filename: "t.zip",
        }),
      });
      await expectError(res, 401);
    }
  });

  it("file names that could walk out of a directory or break a header (422)", async () => {
    const lease = await agent.leaseJob(await submit(target));
    const tree = randomBytes(100);
    expect((await agent.upload(lease, "tree", tree)).status).toBe(200);
    const sha256 = await sha256Hex(tree);
    for (const filename of ["../../etc/passwd", "a/b.zip", 'a".zip', "x\r\ny: z"]) {
      const res = await agent.post(`/v1/agent/jobs/${lease.job.id}/artifacts/tree/link`, {
        lease_id: lease.lease_id,
        sha256,
        size: tree.byteLength,
        filename,
      });
      expect((await expectError(res, 422)).errors?.[0]?.path).toBe("filename");
    }
  });

  it("a key that is not a digest: the sha256 field is the only part of the key a caller names", async () => {
    const lease = await agent.leaseJob(await submit(target));
    for (const sha256 of ["../jobs/x", "A".repeat(64), `${"a".repeat(63)}/`]) {
      const res = await agent.post(`/v1/agent/jobs/${lease.job.id}/artifacts/tree/link`, {
        lease_id: lease.lease_id,
        sha256,
        size: 1,
        filename: "t.zip",
      });
      expect((await expectError(res, 422)).errors?.[0]?.path).toBe("sha256");
    }
  });
});
