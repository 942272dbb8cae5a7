import { beforeEach, describe, expect, it } from "vitest";
import { Agent, sha256Hex, submit } from "../test-support/api-client.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

const agent = new Agent(target, "edge-cache-agent");

describe("artifacts on Workers", () => {
  beforeEach(() => agent.drain());

  it("are stored in R2 at artifacts/<sha256> with the digest R2 verified", async () => {
    const id = await submit(target);
    const { firmware } = await agent.build(id);
    const digest = await sha256Hex(firmware);
    const object = await workerEnv.BUCKET.head(`artifacts/${digest}`);
    expect(object?.size).toBe(firmware.byteLength);
    expect(object?.customMetadata?.sha256).toBe(digest);
    const checksum = object?.checksums.sha256;
    expect(
      checksum && Array.from(new Uint8Array(checksum), (b) => b.toString(16).padStart(2, "0")).join(""),
    ).toBe(digest);
  });

  it("are served from the edge cache (Cache API) once downloaded", async () => {
    const id = await submit(target);
    const { firmware } = await agent.build(id);
    const digest = await sha256Hex(firmware);
    const first = await target.fetch(`/v1/compile/${id}/download`);
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(firmware);

    // The cache is written in the background (waitUntil): wait until it holds the copy.
    const key = `https://response-cache.qmk-edge.internal/artifacts/${digest}/firmware.hex`;
    for (let i = 0; i < 100 && !(await caches.default.match(key)); i++)
      await new Promise((r) => setTimeout(r, 20));

    await workerEnv.BUCKET.delete(`artifacts/${digest}`);
    const second = await target.fetch(`/v1/compile/${id}/download`);
    expect(second.status).toBe(200);
    expect(second.headers.get("etag")).toBe(`"${digest}"`);
    expect(second.headers.get("access-control-allow-origin")).toBe("*");
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(firmware);
  });
});
