import { ARTIFACT_HEADERS } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError, randomBytes, sha256Hex, status, submit } from "../../test-support/api-client.ts";

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

  it("a body that breaks off before its Content-Length (400 JSON, nothing attached)", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    const sent = randomBytes(100);
    let pulled = 0;
    // Node: the client sends 100 of 1000 bytes and closes its side (FIN). Workers: the body stream fails
    // after 100 bytes, which is what workerd hands a Worker whose client went away mid-body.
    const body =
      target.name === "node"
        ? sent
        : new ReadableStream<Uint8Array>({
            pull(controller) {
              if (pulled++ === 0) controller.enqueue(sent);
              else controller.error(new Error("Network connection lost."));
            },
          });
    const res = await target.fetch(`/v1/agent/jobs/${id}/artifacts/firmware`, {
      method: "PUT",
      headers: agent.auth({
        "content-length": "1000",
        [ARTIFACT_HEADERS.leaseId]: lease.lease_id,
        [ARTIFACT_HEADERS.sha256]: await sha256Hex(randomBytes(1000)),
        [ARTIFACT_HEADERS.filename]: "f.hex",
      }),
      body,
      duplex: "half",
      direct: true,
    } as RequestInit);
    const error = await expectError(res, 400);
    expect(error.message).toMatch(/body (ended|broke off)/);
    expect((await status(target, id)).status).toBe("running");
    await agent.uploadSourceAndLog(lease);
    await expectError(await agent.complete(lease), 409);
  });

  it("an upload declared over its kind's limit: 413 at once, before any of the body arrives", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    let cancelled = false;
    // One byte, then nothing: a client that announced 100 MiB and holds the rest back.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1));
      },
      cancel() {
        cancelled = true;
      },
    });
    const started = Date.now();
    const res = await target.fetch(`/v1/agent/jobs/${id}/artifacts/firmware`, {
      method: "PUT",
      headers: agent.auth({
        "content-length": String(100 * 1024 * 1024),
        [ARTIFACT_HEADERS.leaseId]: lease.lease_id,
        [ARTIFACT_HEADERS.sha256]: "0".repeat(64),
        [ARTIFACT_HEADERS.filename]: "f.hex",
      }),
      body,
      duplex: "half",
    } as RequestInit);
    await expectError(res, 413);
    expect(Date.now() - started).toBeLessThan(5000);
    if (!cancelled) await body.cancel().catch(() => {});
  });
});
