import { ARTIFACT_MAX_BYTES } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError, randomBytes, sha256Hex, status, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "link-error-agent");

const link = (jobId: string, body: unknown, kind = "tree") =>
  agent.post(`/v1/agent/jobs/${jobId}/artifacts/${kind}/link`, body);

describe("POST /v1/agent/jobs/:id/artifacts/:kind/link refuses", () => {
  beforeEach(() => agent.drain());

  it("an object the store does not hold (404, so the agent uploads it), and attaches nothing", async () => {
    const lease = await agent.leaseJob(await submit(target));
    const sha256 = await sha256Hex(randomBytes(32));
    const body = { lease_id: lease.lease_id, sha256, size: 32, filename: "tree-x.zip" };
    const refused = await expectError(await link(lease.job.id, body), 404);
    expect(refused.message).toMatch(/upload it/);
    expect((await agent.upload(lease, "firmware", randomBytes(64))).status).toBe(200);
    await agent.uploadSourceAndLog(lease);
    expect((await agent.complete(lease)).status).toBe(200);
    expect((await status(target, lease.job.id)).result).not.toHaveProperty("source_tree_url");
  });

  it("a size other than the stored object's (404)", async () => {
    const lease = await agent.leaseJob(await submit(target));
    const tree = randomBytes(1000);
    expect((await agent.upload(lease, "tree", tree)).status).toBe(200);
    const sha256 = await sha256Hex(tree);
    await expectError(
      await link(lease.job.id, { lease_id: lease.lease_id, sha256, size: 999, filename: "t.zip" }),
      404,
    );
  });

  it("kinds that are uploaded, not linked, and unknown kinds", async () => {
    const lease = await agent.leaseJob(await submit(target));
    const firmware = randomBytes(64);
    expect((await agent.upload(lease, "firmware", firmware)).status).toBe(200);
    const body = { lease_id: lease.lease_id, sha256: await sha256Hex(firmware), size: 64, filename: "f.hex" };
    expect((await expectError(await link(lease.job.id, body, "firmware"), 422)).errors?.[0]?.path).toBe(
      "kind",
    );
    expect((await expectError(await link(lease.job.id, body, "elf"), 400)).errors?.[0]?.path).toBe("kind");
  });

  it("a malformed body (422 naming each field), a size over the limit (413)", async () => {
    const lease = await agent.leaseJob(await submit(target));
    const bad = await expectError(await link(lease.job.id, { lease_id: lease.lease_id, sha256: "XYZ" }), 422);
    expect(bad.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(["sha256", "size", "filename"]));
    const huge = {
      lease_id: lease.lease_id,
      sha256: "a".repeat(64),
      size: ARTIFACT_MAX_BYTES.tree + 1,
      filename: "t.zip",
    };
    await expectError(await link(lease.job.id, huge), 413);
  });

  it("a stale lease (409) and an unknown job (404)", async () => {
    const lease = await agent.leaseJob(await submit(target));
    const body = { lease_id: "0".repeat(32), sha256: "a".repeat(64), size: 1, filename: "t.zip" };
    await expectError(await link(lease.job.id, body), 409);
    await expectError(await link("f".repeat(32), { ...body, lease_id: lease.lease_id }), 404);
  });
});
