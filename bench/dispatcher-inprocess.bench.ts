// The Redis dispatcher's own CPU per job, without HTTP: a queue filled first, then BENCH_AGENTS (50) loops
// leasing and completing (as failed) in this process until it is empty. BENCH_STORE=memory keeps records in a
// Map (what the dispatcher and Redis cost), =fs in the directory store as node/main.ts builds it (what the
// record reads and overwrites add). CPU is this process's (process.cpuUsage), so it is robust to other load;
// Redis runs in its own process and is not counted. Not part of `npm run -s bench`:
//   BENCH_STORE=memory node bench/dispatcher-inprocess.bench.ts
import { FsBlobStore } from "@qmk-edge/edge-api/src/adapters/blob-store/fs.ts";
import { RedisDispatcher } from "@qmk-edge/edge-api/src/adapters/dispatcher/redis/dispatcher.ts";
import { BlobJobStore } from "@qmk-edge/edge-api/src/adapters/job-store/blob.ts";
import { newId } from "@qmk-edge/edge-api/src/jobs/job-id.ts";
import { leasePolicy } from "@qmk-edge/edge-api/src/jobs/lease.ts";
import { newJobRecord } from "@qmk-edge/edge-api/src/jobs/lifecycle.ts";
import type { BlobHead, BlobStore } from "@qmk-edge/edge-api/src/ports/blob-store.ts";
import type { LeaseRequest } from "@qmk-edge/schema";
import { startRedis } from "@qmk-edge/test/servers/redis.ts";
import { round } from "./stats.ts";
import { benchTempDir } from "./temp-dirs.ts";

// Records as text in a Map: what a store costs at its cheapest.
function memoryStore(): BlobStore {
  const texts = new Map<string, string>();
  const head = (text: string): BlobHead => ({
    size: text.length,
    contentType: "application/json",
    sha256: "",
  });
  return {
    async get(key) {
      const text = texts.get(key);
      return text === undefined ? null : { ...head(text), body: new Response(text).body! };
    },
    async getText(key) {
      return texts.get(key) ?? null;
    },
    async head(key) {
      const text = texts.get(key);
      return text === undefined ? null : head(text);
    },
    async put(key, body) {
      const text =
        typeof body === "string"
          ? body
          : await new Response(body as ConstructorParameters<typeof Response>[0]).text();
      texts.set(key, text);
      return head(text);
    },
    async delete(key) {
      texts.delete(key);
    },
    async list(prefix) {
      return [...texts.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes("/"));
    },
  };
}

export async function benchDispatcherInProcess(options: {
  store: "memory" | "fs";
  jobs: number;
  agents: number;
}) {
  const redis = await startRedis();
  const dir = benchTempDir("bench-inprocess");
  const blobs = options.store === "fs" ? new FsBlobStore(dir, { journal: true }) : memoryStore();
  const jobs = new BlobJobStore(blobs);
  const dispatcher = new RedisDispatcher({ redisUrl: redis.url, jobs, lease: leasePolicy(60) });
  const holder = { token_id: "bench", trust: "trusted" as const };
  try {
    for (let i = 0; i < options.jobs; i++) {
      const record = await jobs.accept((id) =>
        newJobRecord({
          id,
          request: {
            keyboard: "handwired/qmk_edge_demo",
            keymap: `k${i}`,
            layout: "LAYOUT_ortho_2x2",
            layers: [["KC_A", "KC_B", "KC_C", "KC_D"]],
          },
          contentKey: newId() + newId(),
          firmwareVersion: "demo-1",
          maxAttempts: 3,
          now: new Date().toISOString(),
        }),
      );
      await dispatcher.enqueue(record);
    }
    const cpu = process.cpuUsage();
    const start = performance.now();
    let done = 0;
    await Promise.all(
      Array.from({ length: options.agents }, async (_, a) => {
        for (;;) {
          const request: LeaseRequest = {
            agent_id: `a${a}`,
            toolchains: ["avr", "arm"],
            firmware_version: "demo-1",
            wait_ms: 0,
          };
          const lease = await dispatcher.lease(request, holder);
          if (!lease) return;
          await dispatcher.complete(
            lease.job.id,
            {
              lease_id: lease.lease_id,
              status: "failed",
              returncode: 2,
              output: "bench: failed at once",
              command: "make bench",
              firmware_filename: null,
              toolchain: "avr",
              timings: {},
            },
            holder,
          );
          done++;
        }
      }),
    );
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - start) / 1000;
    return {
      store: options.store,
      agents: options.agents,
      jobs: done,
      jobs_per_s: round(done / seconds, 1),
      cpu_ms_per_job: round((used.user + used.system) / 1000 / Math.max(1, done), 3),
      user_ms_per_job: round(used.user / 1000 / Math.max(1, done), 3),
    };
  } finally {
    await dispatcher.close();
    await redis.stop();
  }
}

if (import.meta.main) {
  const store = process.env.BENCH_STORE === "fs" ? "fs" : "memory";
  const jobs = Number(process.env.BENCH_JOBS ?? 3000);
  const agents = Number(process.env.BENCH_AGENTS ?? 50);
  console.log(JSON.stringify(await benchDispatcherInProcess({ store, jobs, agents }), null, 2));
}
