// The S3 gateway stopped under the Node API (issue 19): every request that needs the store answers 503 JSON
// with Retry-After before anything is accepted, and nothing half-accepted is left queued once it is back.
import type { CompileStatus } from "@qmk-edge/schema";
import { describe, expect, inject, it } from "vitest";
import { type CephS3, startCephS3 } from "../../../test/servers/ceph-s3.ts";
import { newId } from "../src/jobs/job-id.ts";
import { loadNodeConfig } from "../src/node/config.ts";
import { type NodeServer, startNodeServer } from "../src/node/main.ts";
import { httpFetch } from "../test-support/http-fetch.ts";
import { RetryingAgent } from "../test-support/retrying-agent.ts";

const TOKEN = "s3-outage-agent-token";
const body = (i: number) =>
  JSON.stringify({
    keyboard: "handwired/qmk_edge_demo",
    keymap: `outage_${i}`,
    layout: "LAYOUT_ortho_2x2",
    layers: [["KC_A", "KC_B", "KC_C", ["KC_D", "KC_E"][i % 2]]],
  });

async function expect503Json(res: Response): Promise<void> {
  expect(res.status).toBe(503);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(((await res.json()) as { code: number }).code).toBe(503);
}

describe("the Node API with its S3 gateway stopped", () => {
  it("refuses with 503 JSON before accepting, and accepts again once the gateway is back", async () => {
    let ceph: CephS3 | null = null;
    let api: NodeServer | null = null;
    try {
      ceph = await startCephS3();
      const run = newId().slice(0, 8);
      api = await startNodeServer(
        loadNodeConfig({
          PORT: "0",
          REDIS_URL: inject("redisUrl"),
          REDIS_PREFIX: `s3-outage-${run}:`,
          S3_ENDPOINT: ceph.endpoint,
          S3_BUCKET: ceph.bucket,
          S3_REGION: ceph.region,
          S3_ACCESS_KEY_ID: ceph.accessKeyId,
          S3_SECRET_ACCESS_KEY: ceph.secretAccessKey,
          S3_PREFIX: `s3-outage-${run}/`,
          AGENT_TOKENS: TOKEN,
          FIRMWARE_VERSION: "demo-1",
          RATE_LIMIT_PER_MINUTE: "100000",
        }),
        { reaper: false },
      );
      const post = (i: number) =>
        httpFetch(`${api!.url}/v1/compile`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: body(i),
        });
      const first = await post(0);
      expect(first.status).toBe(200);
      const { job_id: id } = (await first.json()) as { job_id: string };

      await ceph.stopGateway();
      await expect503Json(await post(1));
      await expect503Json(await httpFetch(`${api.url}/v1/compile/${id}`));
      await ceph.startGateway();

      // Only the job accepted before the outage is queued: the refused one left nothing behind.
      const agent = new RetryingAgent({
        baseUrl: api.url,
        token: TOKEN,
        id: "outage",
        firmwareVersion: "demo-1",
      });
      const lease = await agent.lease(0);
      expect(lease?.job.id).toBe(id);
      expect(await agent.lease(0)).toBeNull();
      expect(await agent.build(lease!)).toBe(true);
      const again = await post(1);
      expect(again.status).toBe(200);
      const status = (await (await httpFetch(`${api.url}/v1/compile/${id}`)).json()) as CompileStatus;
      expect(status.status).toBe("finished");
    } finally {
      await api?.close();
      await ceph?.stop();
    }
  }, 90_000);
});
