// Fault tests: the servers behind the Node API die mid-run and come back. Clients and agents retry as they
// would in production (network errors, 503); every job the API accepted must still end `finished`.
import { createHash, randomBytes } from "node:crypto";
import type { CompileEnqueued, CompileStatus } from "@qmk-edge/schema";
import { describe, expect, inject, it } from "vitest";
import { type CephS3, startCephS3 } from "../../../test/servers/ceph-s3.ts";
import { type RedisServer, startRedis } from "../../../test/servers/redis.ts";
import { newId } from "../src/jobs/job-id.ts";
import { loadNodeConfig } from "../src/node/config.ts";
import { type NodeServer, startNodeServer } from "../src/node/main.ts";
import { httpFetch } from "../test-support/http-fetch.ts";
import { RetryingAgent } from "../test-support/retrying-agent.ts";

const TOKEN = "fault-test-agent-token";

interface S3Settings {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

async function startApi(redisUrl: string, s3: S3Settings): Promise<NodeServer> {
  const run = newId().slice(0, 8);
  const config = loadNodeConfig({
    PORT: "0",
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `fault-${run}:`,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_PREFIX: `fault-${run}/`,
    AGENT_TOKENS: TOKEN,
    // Short leases, so a lease whose answer was lost in the outage comes back within the test.
    LEASE_SECONDS: "5",
    MAX_ATTEMPTS: "5",
    RATE_LIMIT_PER_MINUTE: "10000",
  });
  return await startNodeServer(config);
}

let keymaps = 0;
// A client submitting like QMK Configurator would, retrying on 503 and dropped connections.
async function submit(api: NodeServer, agent: RetryingAgent): Promise<string> {
  keymaps++;
  const body = JSON.stringify({
    version: 1,
    keyboard: "handwired/qmk_edge_demo",
    keymap: `fault_${Date.now().toString(36)}_${keymaps}`,
    layout: "LAYOUT_ortho_2x2",
    layers: [["KC_A", "KC_B", "KC_C", "KC_D"]],
  });
  const res = await agent.retry("submit", () =>
    httpFetch(`${api.url}/v1/compile`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    }),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as CompileEnqueued).job_id;
}

async function statusOf(api: NodeServer, agent: RetryingAgent, id: string): Promise<CompileStatus> {
  const res = await agent.retry("status", () => httpFetch(`${api.url}/v1/compile/${id}`));
  expect(res.status).toBe(200);
  return (await res.json()) as CompileStatus;
}

async function allFinished(api: NodeServer, agent: RetryingAgent, ids: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(ids.map((id) => statusOf(api, agent, id)));
    const open = statuses.filter((s) => s.status !== "finished");
    if (open.length === 0) return statuses;
    if (Date.now() > deadline) {
      throw new Error(
        `not finished: ${open.map((s) => `${s.id} ${s.status} (${s.failure_reason})`).join(", ")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const newAgent = (api: NodeServer, id: string) =>
  new RetryingAgent({ baseUrl: api.url, token: TOKEN, id, firmwareVersion: "demo-1" });

describe("faults: Redis restarts mid-run (append-only file, fsync always)", () => {
  it("loses no accepted job: agents and clients retry through the outage and every job finishes", async () => {
    let redis: RedisServer | null = null;
    let api: NodeServer | null = null;
    try {
      redis = await startRedis({ appendonly: true });
      api = await startApi(redis.url, inject("s3"));
      const client = newAgent(api, "client");
      const accepted: string[] = [];
      for (let i = 0; i < 12; i++) accepted.push(await submit(api, client));

      let built = 0;
      let stop = false;
      const agents = [0, 1, 2].map((n) => newAgent(api!, `fault-agent-${n}`));
      const loops = agents.map(async (agent) => {
        while (!stop) {
          const lease = await agent.lease(500);
          if (lease && (await agent.build(lease))) built++;
        }
      });

      while (built < 3) await new Promise((r) => setTimeout(r, 20));
      const builtBefore = built;
      await redis.restart({ hard: true, downMs: 1_500 });
      // Jobs submitted right after the restart go through the recovered Redis.
      for (let i = 0; i < 6; i++) accepted.push(await submit(api, client));

      const statuses = await allFinished(api, client, accepted, 60_000);
      stop = true;
      await Promise.all(loops);
      expect(statuses.map((s) => s.status)).toEqual(accepted.map(() => "finished"));
      expect(builtBefore).toBeLessThan(accepted.length);
      // The outage was felt: something had to be retried.
      expect(agents.reduce((n, a) => n + a.retries, client.retries)).toBeGreaterThan(0);
    } finally {
      await api?.close();
      await redis?.stop();
    }
  }, 90_000);
});

describe("faults: the S3 gateway restarts in the middle of an artifact upload", () => {
  it("answers 503, the agent uploads again, and the job finishes with the right bytes", async () => {
    let ceph: CephS3 | null = null;
    let api: NodeServer | null = null;
    try {
      ceph = await startCephS3();
      api = await startApi(inject("redisUrl"), ceph);
      const agent = newAgent(api, "upload-agent");
      const retried: string[] = [];
      agent.options.onRetry = (what, reason) => retried.push(`${what}: ${reason}`);
      const jobA = await submit(api, agent);
      const lease = await agent.lease(2_000);
      expect(lease?.job.id).toBe(jobA);

      const firmware = randomBytes(4 * 1024 * 1024);
      let halfSent: () => void = () => {};
      const halfway = new Promise<void>((r) => {
        halfSent = r;
      });
      let resume: () => void = () => {};
      const resumed = new Promise<void>((r) => {
        resume = r;
      });
      let offset = 0;
      const slowBody = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (offset >= firmware.byteLength) return controller.close();
          if (offset >= firmware.byteLength / 2) {
            halfSent();
            await resumed;
          }
          const chunk = firmware.subarray(offset, offset + 256 * 1024);
          offset += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });

      const upload = agent.upload(lease!, "firmware", firmware, slowBody);
      await halfway;
      await ceph.stopGateway();
      // A client submitting while the store is down is told to retry, and gets in once it is back.
      const submitting = submit(api, agent);
      await new Promise((r) => setTimeout(r, 500));
      resume();
      await ceph.startGateway();
      expect((await upload).status).toBe(200);
      expect(retried.some((r) => r.startsWith("upload firmware"))).toBe(true);

      // The rest of the job (heartbeat, uploads again, complete) goes through as usual.
      expect(await agent.build(lease!, firmware)).toBe(true);
      const jobB = await submitting;
      const next = await agent.lease(2_000);
      expect(next?.job.id).toBe(jobB);
      expect(await agent.build(next!)).toBe(true);

      await allFinished(api, agent, [jobA, jobB], 10_000);
      const download = await httpFetch(`${api.url}/v1/compile/${jobA}/download`);
      expect(download.status).toBe(200);
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(
        createHash("sha256").update(firmware).digest("hex"),
      );
    } finally {
      await api?.close();
      await ceph?.stop();
    }
  }, 90_000);
});
