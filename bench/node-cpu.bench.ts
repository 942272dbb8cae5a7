// CPU time per request of the Node edge API, route by route, against the framework floor (a static JSON
// route on a bare Hono app, same server adapter, same process) measured in the same run. The API runs in its
// own process (node/api-process.ts) on Redis and a blob directory; CPU is that process's user + system time
// over the phase, divided by the requests answered, so load on the machine does not change the figure much.
import { type ChildProcess, fork } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { startRedis } from "@qmk-edge/test/servers/redis.ts";
import { FakeAgent } from "./fake-agent.ts";
import { closedLoop, type LoadRequest } from "./node/load.ts";
import { round } from "./stats.ts";
import { benchTempDir } from "./temp-dirs.ts";

export const BENCH_AGENT_TOKEN = "qmk-edge-bench-agent-token-0001";
const FIRMWARE_VERSION = "demo-1";

export interface ApiProcess {
  url: string;
  // The API's blob directory (BLOB_DIR).
  blobDir: string;
  floorUrl: string;
  // With BENCH_API_PROFILE set, the API profiles itself between these (node/api-process.ts).
  profile(cmd: "profile-start" | "profile-stop"): void;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

// The API in a child process, on the given Redis, with its blobs in a fresh directory.
export async function startApiProcess(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<ApiProcess> {
  const blobDir = benchTempDir("bench-blobs");
  const child: ChildProcess = fork(join(import.meta.dirname, "node", "api-process.ts"), {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      REDIS_URL: redisUrl,
      BLOB_DIR: blobDir,
      AGENT_TOKENS: BENCH_AGENT_TOKEN,
      FIRMWARE_VERSION,
      MAX_ATTEMPTS: "3",
      LEASE_SECONDS: "60",
      RATE_LIMIT_PER_MINUTE: "1000000000",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    // BENCH_API_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=..." profiles the API process.
    execArgv: (process.env.BENCH_API_NODE_OPTIONS ?? "").split(" ").filter(Boolean),
  });
  const ready = await new Promise<{ url: string; floorUrl: string }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { url: string; floorUrl: string }));
    child.once("exit", (code) => reject(new Error(`bench API process exited ${code}`)));
  });
  return {
    ...ready,
    blobDir,
    profile: (cmd) => child.send({ cmd }),
    cpuMicros: () =>
      new Promise((resolve) => {
        child.once("message", (m) => {
          const { cpuMicros, userMicros } = m as { cpuMicros: number; userMicros: number };
          if (process.env.BENCH_CPU_DEBUG)
            process.stderr.write(`[cpu] user ${userMicros} total ${cpuMicros}\n`);
          resolve(cpuMicros);
        });
        child.send({ cmd: "cpu" });
      }),
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.send({ cmd: "stop" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const benchRequest = (keymap: string, key = "KC_A") => ({
  keyboard: "handwired/edge_pad",
  keymap,
  layout: "LAYOUT_ortho_4x4",
  layers: [Array.from({ length: 16 }, (_, k) => (k === 0 ? key : "KC_A"))],
});

const post = (body: unknown): LoadRequest => ({
  method: "POST",
  path: "/v1/compile",
  body: JSON.stringify(body),
});

// What creating one file costs on the API's disk right now, in µs: a POST creates one (its record's temp
// file in BLOB_DIR/.tmp), and on ext4 without a journal the kernel's search for a free inode passes, one by
// one, every inode deleted in the last minute or more in the folder's block group (anything on the same
// filesystem deleting files makes it dear: 17 µs quiet, 500 after a bench's teardown). Printed beside each
// POST round so a reader can tell the machine's swing from the code's. Created in BLOB_DIR/.tmp itself, as
// the API's temp files are: a folder of its own may sit in another group (in one run it measured 17 µs while
// the API's creates took 100). The probe's files are left until the API's directory is removed: deleting
// them would make the next creates dearer.
let probes = 0;
export function fileCreateMicros(blobDir: string, files = 200): number {
  const dir = join(blobDir, ".tmp");
  mkdirSync(dir, { recursive: true });
  const start = performance.now();
  for (let n = 0; n < files; n++) closeSync(openSync(join(dir, `bench-create-probe-${probes++}`), "wx"));
  return round(((performance.now() - start) * 1000) / files, 1);
}

async function cpuPerRequest(
  api: ApiProcess,
  url: string,
  next: (i: number) => LoadRequest,
  opts: { clients: number; seconds: number },
) {
  const before = await api.cpuMicros();
  const load = await closedLoop(url, next, opts);
  const cpu = (await api.cpuMicros()) - before;
  return {
    requests: load.requests,
    errors: load.errors,
    requests_per_s: round(load.requests / load.seconds, 1),
    cpu_ms_per_request: round(cpu / 1000 / Math.max(1, load.requests), 3),
  };
}

// How many jobs wait ahead of the one the queued-job status phase polls.
const QUEUED_AHEAD = 2;

async function statusOf(apiUrl: string, id: string) {
  return (await fetch(`${apiUrl}/v1/compile/${id}`).then((r) => r.json())) as {
    status: string;
    queue_position?: number | null;
  };
}

export async function benchNodeCpu(opts: { clients: number; seconds: number }) {
  const redis = await startRedis();
  // A queued job's poll asks for the agents online only once the job has waited NO_AGENT_WAIT_SECONDS (180 s
  // by default; jobs/no-agent.ts): a long run must not cross into that path (or fail the job) mid-phase.
  const api = await startApiProcess(redis.url, { NO_AGENT_WAIT_SECONDS: "3600" });
  try {
    // One job built for real through the agent protocol: its record is what status reads read, and its
    // build-cache entry is what cache hits hit.
    const first = await fetch(`${api.url}/v1/compile`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(benchRequest("bench_cached")),
    }).then((r) => r.json() as Promise<{ job_id: string }>);
    const agent = new FakeAgent(api.url, {
      id: "bench-seed-agent",
      token: BENCH_AGENT_TOKEN,
      firmwareVersion: FIRMWARE_VERSION,
    });
    const leased = await agent.lease(5_000);
    if (leased?.jobId !== first.job_id) throw new Error("seed job was not leased");
    await agent.buildFinished(leased);
    agent.close();
    // Jobs left queued in Redis, no agent leasing them: the last one is what a queued job's status read polls
    // (what Configurator mostly polls), at a real queue position. Jobs POSTed later queue behind it.
    const stamp = Date.now().toString(36);
    const queuedIds: string[] = [];
    for (let k = 0; k <= QUEUED_AHEAD; k++) {
      const { job_id } = await fetch(`${api.url}/v1/compile`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(benchRequest(`bench_${stamp}_queued_${k}`)),
      }).then((r) => r.json() as Promise<{ job_id: string }>);
      queuedIds.push(job_id);
    }
    const queuedId = queuedIds[QUEUED_AHEAD]!;
    const assertQueued = async (when: string) => {
      const s = await statusOf(api.url, queuedId);
      if (s.status !== "queued" || s.queue_position !== QUEUED_AHEAD)
        throw new Error(
          `queued job ${when}: ${s.status} at ${s.queue_position}, not queued at ${QUEUED_AHEAD}`,
        );
    };
    await assertQueued("before the phases");

    const run = (url: string, next: (i: number) => LoadRequest) => cpuPerRequest(api, url, next, opts);
    // Warm-up, not counted: JIT, connection pools, first-touch of files. By request count, not time: on a
    // loaded machine a second is too few requests for V8's optimizing compiler to be done with a route.
    const warm = { ...opts, seconds: 30, requests: Number(process.env.BENCH_CPU_WARMUP ?? 3000) };
    await closedLoop(api.floorUrl, () => ({ method: "GET", path: "/floor" }), warm);
    await closedLoop(api.url, () => ({ method: "GET", path: `/v1/compile/${first.job_id}` }), warm);
    await closedLoop(api.url, () => ({ method: "GET", path: `/v1/compile/${queuedId}` }), warm);
    await closedLoop(api.url, () => post(benchRequest("bench_cached")), warm);
    // A new job's path (accept, enqueue, a record's file) is code of its own: warmed with a third of this, its
    // first round cost a fifth more than the rounds after it (on /dev/shm, 6.3-6.9x the floor against 4.9-5.3x;
    // as many requests as the other routes: 5.4-5.7x against 5.2-5.4x).
    await closedLoop(api.url, (i) => post(benchRequest(`bench_${stamp}_warm_${i}`)), warm);

    // Each route is measured in rounds, each right after a round of the floor, and reported as the median of
    // the rounds: the machine's load drifts, and a ratio of two measurements taken together drifts less. Five:
    // on this machine one round's ratio strays by a fifth either way from the next (the first is most often the
    // dearest), and the median of three followed one stray round.
    // BENCH_CPU_ONLY=status (or status-queued, hit, fresh, v1) measures that route alone, for profiling.
    const only = process.env.BENCH_CPU_ONLY;
    const rounds = Number(process.env.BENCH_CPU_ROUNDS ?? 5);
    const floorRequest = (): LoadRequest => ({ method: "GET", path: "/floor" });
    const floors: Awaited<ReturnType<typeof run>>[] = [];
    const routeOf = async (name: string, next: (i: number) => LoadRequest, probe = false) => {
      if (only && only !== name) return null;
      const samples = [];
      for (let r = 0; r < rounds; r++) {
        const floor = await run(api.floorUrl, floorRequest);
        floors.push(floor);
        // BENCH_API_PROFILE=<dir>: the API profiles the route's rounds only (not the floor's).
        const createUs = probe ? fileCreateMicros(api.blobDir) : undefined;
        if (process.env.BENCH_API_PROFILE) api.profile("profile-start");
        const route = await run(api.url, next);
        if (process.env.BENCH_API_PROFILE) api.profile("profile-stop");
        samples.push({
          ...route,
          ratio_vs_floor: round(route.cpu_ms_per_request / floor.cpu_ms_per_request, 2),
          ...(createUs === undefined ? {} : { file_create_us_before: createUs }),
        });
      }
      const median = <T>(xs: T[], key: (x: T) => number) =>
        xs.map(key).sort((a, b) => a - b)[xs.length >> 1]!;
      return {
        requests: samples.reduce((n, x) => n + x.requests, 0),
        errors: samples.reduce((n, x) => n + x.errors, 0),
        requests_per_s: median(samples, (x) => x.requests_per_s),
        cpu_ms_per_request: median(samples, (x) => x.cpu_ms_per_request),
        ratio_vs_floor: median(samples, (x) => x.ratio_vs_floor),
        ...(probe ? { file_create_us: median(samples, (x) => x.file_create_us_before ?? Number.NaN) } : {}),
        rounds: samples.map((x) => ({
          cpu_ms_per_request: x.cpu_ms_per_request,
          ratio_vs_floor: x.ratio_vs_floor,
          ...(x.file_create_us_before === undefined
            ? {}
            : { file_create_us_before: x.file_create_us_before }),
        })),
      };
    };
    const service = await routeOf("v1", () => ({ method: "GET", path: "/v1" }));
    const status = await routeOf("status", () => ({ method: "GET", path: `/v1/compile/${first.job_id}` }));
    // The same route on a queued job: the record read from the store, the queue position from Redis.
    const statusQueued = await routeOf("status-queued", () => ({
      method: "GET",
      path: `/v1/compile/${queuedId}`,
    }));
    await assertQueued("after the phases");
    const hit = await routeOf("hit", () => post(benchRequest("bench_cached")), true);
    const fresh = await routeOf("fresh", (i) => post(benchRequest(`bench_${stamp}_${i}`)), true);
    const floorCpu = floors.map((f) => f.cpu_ms_per_request).sort((a, b) => a - b);
    const floor = {
      requests: floors.reduce((n, f) => n + f.requests, 0),
      cpu_ms_per_request: floorCpu[floorCpu.length >> 1] ?? Number.NaN,
    };
    return {
      clients: opts.clients,
      seconds: opts.seconds,
      floor_static_json: floor,
      get_v1: service,
      status_read: status && { ...status, target_ms: 0.15, target_ratio: 2 },
      status_read_queued: statusQueued && {
        ...statusQueued,
        queue_position: QUEUED_AHEAD,
        target_ms: 0.15,
        target_ratio: 2,
      },
      post_cache_hit: hit && { ...hit, target_ms: 0.3, target_ratio: 4 },
      post_new_job: fresh && { ...fresh, target_ms: 0.5, target_ratio: 6 },
    };
  } finally {
    await api.stop();
    await redis.stop();
  }
}

if (import.meta.main) {
  const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  console.log(
    JSON.stringify(
      await benchNodeCpu({ clients: env("BENCH_CPU_CLIENTS", 50), seconds: env("BENCH_CPU_SECONDS", 2) }),
      null,
      2,
    ),
  );
}
