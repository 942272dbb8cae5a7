import { compileStatus } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, randomBytes, sha256Hex, status, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "link-agent");

describe("a tree artifact shared by the jobs of a firmware version", () => {
  beforeEach(() => agent.drain());

  it("is uploaded by one job, linked by the next without its bytes, and both download it", async () => {
    const tree = randomBytes(200_000);
    const sha256 = await sha256Hex(tree);
    const first = await agent.leaseJob(await submit(target));
    expect((await agent.upload(first, "tree", tree, { filename: "tree-demo-1.zip" })).status).toBe(200);
    const second = await agent.leaseJob(await submit(target));
    const linked = await agent.post(`/v1/agent/jobs/${second.job.id}/artifacts/tree/link`, {
      lease_id: second.lease_id,
      sha256,
      size: tree.byteLength,
      filename: "tree-demo-1.zip",
    });
    expect(linked.status).toBe(200);
    expect(await linked.json()).toEqual({ kind: "tree", sha256, size: tree.byteLength });

    for (const lease of [first, second]) {
      expect((await agent.upload(lease, "firmware", randomBytes(64))).status).toBe(200);
      await agent.uploadSourceAndLog(lease);
      expect((await agent.complete(lease)).status).toBe(200);
      const answer = compileStatus.parse(await status(target, lease.job.id));
      expect(answer.result?.source_tree_url).toHaveLength(1);
      expect(answer.result?.source_tree_url?.[0]).toMatch(new RegExp(`/v1/compile/${lease.job.id}/tree$`));
      const res = await target.fetch(`/v1/compile/${lease.job.id}/tree`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/zip");
      expect(res.headers.get("etag")).toBe(`"${sha256}"`);
      expect(res.headers.get("content-disposition")).toBe('attachment; filename="tree-demo-1.zip"');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(tree);
    }
  });

  it("is absent from the status answer of a job without one", async () => {
    const lease = await agent.leaseJob(await submit(target));
    expect((await agent.upload(lease, "firmware", randomBytes(64))).status).toBe(200);
    await agent.uploadSourceAndLog(lease);
    expect((await agent.complete(lease)).status).toBe(200);
    const answer = compileStatus.parse(await status(target, lease.job.id));
    expect(answer.result).not.toBeNull();
    expect(answer.result).not.toHaveProperty("source_tree_url");
    expect((await target.fetch(`/v1/compile/${lease.job.id}/tree`)).status).toBe(404);
  });
});
