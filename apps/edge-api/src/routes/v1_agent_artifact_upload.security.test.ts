import { ARTIFACT_HEADERS } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError, randomBytes, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "upload-security-agent");

describe("PUT /v1/agent/jobs/:id/artifacts/:kind is safe against", () => {
  it("uploads without a valid agent token (401)", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    for (const authorization of [undefined, "Bearer wrong-token", `Basic ${btoa("agent:x")}`]) {
      const headers: Record<string, string> = {
        [ARTIFACT_HEADERS.leaseId]: lease.lease_id,
        [ARTIFACT_HEADERS.sha256]: "0".repeat(64),
        [ARTIFACT_HEADERS.filename]: "f.hex",
      };
      if (authorization) headers.authorization = authorization;
      const res = await target.fetch(`/v1/agent/jobs/${id}/artifacts/firmware`, {
        method: "PUT",
        headers,
        body: randomBytes(8),
      });
      await expectError(res, 401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });

  it("file names that could walk out of a directory or break a header (422)", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    for (const filename of ["../../etc/passwd", "a/b.hex", "x.hex\\..", 'a".hex', ".."]) {
      const res = await agent.upload(lease, "firmware", randomBytes(8), { filename });
      if (filename === "..") {
        // Dots alone are a plain name here: the artifact is stored by digest, never by this name.
        expect(res.status).toBe(200);
        continue;
      }
      expect((await expectError(res, 422)).errors?.[0]?.path).toBe(ARTIFACT_HEADERS.filename);
    }
  });

  it("malformed job ids in the path (400)", async () => {
    for (const id of ["abc", "A".repeat(32), `${"0".repeat(31)}g`, "..%2F..%2Fjobs"]) {
      const res = await target.fetch(`/v1/agent/jobs/${id}/artifacts/firmware`, {
        method: "PUT",
        headers: agent.auth(),
        body: randomBytes(8),
      });
      await expectError(res, 400);
    }
  });
});
