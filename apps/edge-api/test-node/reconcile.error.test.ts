// The store is the truth; the queue is rebuilt from it (issue 19). A Redis without persistence is killed with
// 30 jobs accepted (some finished, some running, the rest queued) and comes back empty: GET /v1 counts what
// the store holds, the running builds finish under their restored leases, the queued jobs are queued again,
// and every job ends finished, each leased (built) once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileStatus, LeaseResponse, ServiceStatus } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../../../test/servers/redis.ts";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { newId } from "../src/jobs/job-id.ts";
import { loadNodeConfig } from "../src/node/config.ts";
import { type NodeServer, startNodeServer } from "../src/node/main.ts";
import { readBlobText } from "../src/ports/blob-store.ts";
import { httpFetch } from "../test-support/http-fetch.ts";
import { RetryingAgent } from "../test-support/retrying-agent.ts";

const TOKEN = "reconcile-agent-token";
const JOBS = 30;

async function json<T>(agent: RetryingAgent, url: string): Promise<T> {
  const res = await agent.retry(`GET ${url}`, () => httpFetch(url));
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe("a Redis without persistence restarts empty with 30 jobs accepted", () => {
  it("rebuilds the queue from the store: GET /v1 tells the truth, all 30 finish, none is built twice", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qmk-edge-reconcile-"));
    let redis: RedisServer | null = null;
    let api: NodeServer | null = null;
    let second: NodeServer | null = null;
    try {
      redis = await startRedis({ appendonly: false });
      // Two API processes on one Redis and one store: both reconcile, each job is queued again once.
      const config = loadNodeConfig({
        PORT: "0",
        REDIS_URL: redis.url,
        REDIS_PREFIX: `reconcile-${newId().slice(0, 8)}:`,
        BLOB_DIR: dir,
        AGENT_TOKENS: TOKEN,
        FIRMWARE_VERSION: "demo-1",
        RATE_LIMIT_PER_MINUTE: "100000",
        LEASE_SECONDS: "30",
      });
      api = await startNodeServer(config);
      second = await startNodeServer(config);
      const url = api.url;
      const client = new RetryingAgent({
        baseUrl: url,
        token: TOKEN,
        id: "client",
        firmwareVersion: "demo-1",
      });
      const ids: string[] = [];
      for (let i = 0; i < JOBS; i++) {
        const res = await httpFetch(`${url}/v1/compile`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            keyboard: "handwired/qmk_edge_demo",
            keymap: `reconcile_${i}`,
            layout: "LAYOUT_ortho_2x2",
            layers: [["KC_A", "KC_B", "KC_C", "KC_D"]],
            notes: `job ${i}`,
          }),
        });
        expect(res.status).toBe(200);
        ids.push(((await res.json()) as { job_id: string }).job_id);
      }

      const agents = [0, 1, 2].map(
        (n) =>
          new RetryingAgent({ baseUrl: url, token: TOKEN, id: `reconcile-${n}`, firmwareVersion: "demo-1" }),
      );
      const leasedTimes = new Map<string, number>();
      const lease = async (agent: RetryingAgent): Promise<LeaseResponse | null> => {
        const got = await agent.lease(0);
        if (got) leasedTimes.set(got.job.id, (leasedTimes.get(got.job.id) ?? 0) + 1);
        return got;
      };
      // Five finished, three running (leased, not completed), twenty-two queued.
      for (let i = 0; i < 5; i++) expect(await agents[0]!.build((await lease(agents[0]!))!)).toBe(true);
      const held = await Promise.all(agents.map(async (agent) => (await lease(agent))!));
      // A lease's running record reaches the store LEASE_RECORD_DELAY_MS after the lease (lease-grant.ts); a
      // lease younger than that is not in the store and would be queued again. Wait until the store holds them.
      const store = new FsBlobStore(dir);
      const stored = async (id: string) => JSON.parse((await readBlobText(store, `jobs/${id}.json`)) ?? "{}");
      const deadline = Date.now() + 30_000;
      while ((await Promise.all(held.map((l) => stored(l.job.id)))).some((r) => r.status !== "running")) {
        if (Date.now() > deadline) throw new Error("the leases' records never reached the store");
        await new Promise((r) => setTimeout(r, 100));
      }

      await redis.restart({ hard: true });
      const truths = await Promise.all([
        json<ServiceStatus>(client, `${url}/v1`),
        json<ServiceStatus>(client, `${second.url}/v1`),
      ]);
      for (const truth of truths) {
        expect({ queued: truth.queue_length, running: truth.running_jobs }).toEqual({
          queued: 22,
          running: 3,
        });
      }

      // The three builds in flight finish under the leases the store remembered.
      for (const [n, leased] of held.entries()) expect(await agents[n]!.build(leased)).toBe(true);
      await Promise.all(
        agents.map(async (agent) => {
          for (;;) {
            const next = await lease(agent);
            if (!next) return;
            expect(await agent.build(next)).toBe(true);
          }
        }),
      );
      const statuses = await Promise.all(
        ids.map((id) => json<CompileStatus>(client, `${url}/v1/compile/${id}`)),
      );
      expect(statuses.map((s) => s.status)).toEqual(ids.map(() => "finished"));
      expect([...leasedTimes.keys()].sort()).toEqual([...ids].sort());
      expect([...leasedTimes.values()].every((n) => n === 1)).toBe(true);
      const after = await json<ServiceStatus>(client, `${url}/v1`);
      expect({ queued: after.queue_length, running: after.running_jobs }).toEqual({ queued: 0, running: 0 });
    } finally {
      await api?.close();
      await second?.close();
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
