// The edge API's Worker in local workerd for the benchmarks, without wrangler dev (issue 20, h20x). wrangler
// dev puts its own Node process and a proxy workerd in front of the Worker, ~5.5 ms of CPU per request before
// the Worker runs (h20w): a dispatcher bench through it measured the dev tooling. Here the Worker is bundled
// as `wrangler deploy --dry-run` bundles it for production and run by Miniflare's API in a process of its own
// (workerd-host.ts), with wrangler.jsonc's bindings; the fake agents call workerd's socket directly.
// Clients talk to the Worker's own socket (Miniflare's direct socket), not through Miniflare's entry worker,
// an isolate of Miniflare's in front of every request (~11 % of workerd's JavaScript time in a drain, h23w) that
// production has no counterpart of in workerd; BENCH_WORKERD_VIA=entry sends them through it as before (h25e).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serviceStatus } from "@qmk-edge/schema";
import { freePort, startDaemon, waitUntil } from "@qmk-edge/test/servers/daemon.ts";
import { REPO_ROOT } from "@qmk-edge/test/support/system.ts";
import { benchTempDir } from "../temp-dirs.ts";

const EDGE_API = join(REPO_ROOT, "apps", "edge-api");
const WRANGLER = join(EDGE_API, "node_modules", ".bin", "wrangler");

// Where Miniflare keeps the simulated R2, Queue and Durable Object state: in memory (/dev/shm, as Miniflare
// keeps it when not told to persist) unless BENCH_WORKERD_STATE=disk (as `wrangler dev --persist-to`). On
// Cloudflare that state is not on the machine running the Worker; on this VM's disk each simulated R2 write's
// fsync waits behind whatever else the disk is writing back (the Node drains before it leave tens of
// thousands of files): the 4-shard drain measured 128 jobs/s right after them and 233 alone, on /dev/shm 340.
function workerdState(): { where: "memory" | "disk"; dir: string } {
  const where = process.env.BENCH_WORKERD_STATE === "disk" ? "disk" : "memory";
  const dir = benchTempDir("bench-workerd-state", where);
  return { where: dir.startsWith("/dev/shm/") ? "memory" : "disk", dir };
}

export interface Workerd {
  // Where clients send requests: the Worker's own socket, or Miniflare's entry worker (BENCH_WORKERD_VIA=entry).
  url: string;
  via: WorkerdVia;
  // Where its simulated R2, Queue and Durable Object state lives (workerdState).
  state: "memory" | "disk";
  // Headers a client sends on every request: on the direct socket, CF-Connecting-IP, which Cloudflare's front
  // (and, locally, the entry worker) sets and the Worker's rate limiter keys on.
  clientHeaders: Record<string, string>;
  // The host's process group (workerd-host.ts and its workerd).
  pgid: number;
  // CPU time (µs) used so far by each process of the host's group, by executable name (node, workerd).
  cpuByProcess(): Record<string, number>;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

// Bundles the Worker exactly as `wrangler deploy` would upload it (esbuild, wrangler.jsonc's main and rules).
export function bundleWorker(outDir: string, logFile: string): void {
  execFileSync(WRANGLER, ["deploy", "--dry-run", "--outdir", outDir], {
    cwd: EDGE_API,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      PATH: `${join(process.execPath, "..")}:${process.env.PATH ?? ""}`,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_HIDE_BANNER: "true",
      WRANGLER_LOG_PATH: logFile,
      CI: "true",
      NO_COLOR: "1",
    },
  });
}

export type WorkerdVia = "direct" | "entry";

export function workerdVia(): WorkerdVia {
  const via = process.env.BENCH_WORKERD_VIA ?? "direct";
  if (via !== "direct" && via !== "entry") throw new Error(`BENCH_WORKERD_VIA=${via}: direct or entry`);
  return via;
}

export async function startWorkerd(args: {
  vars: Record<string, string>;
  inspectorPort?: number;
  via?: WorkerdVia;
}): Promise<Workerd> {
  const via = args.via ?? workerdVia();
  const dir = benchTempDir("bench-workerd");
  const state = workerdState();
  const bundle = join(dir, "bundle");
  bundleWorker(bundle, join(dir, "wrangler-logs"));
  const port = await freePort();
  let directPort = await freePort();
  while (directPort === port) directPort = await freePort();
  const daemon = startDaemon({
    command: process.execPath,
    args: [join(import.meta.dirname, "workerd-host.ts")],
    logFile: join(dir, "workerd.log"),
    env: {
      ...process.env,
      BENCH_WORKERD_BUNDLE: bundle,
      BENCH_WORKERD_PERSIST: state.dir,
      BENCH_WORKERD_PORT: String(port),
      BENCH_WORKERD_DIRECT_PORT: String(directPort),
      BENCH_WORKERD_VARS: JSON.stringify(args.vars),
      ...(args.inspectorPort ? { BENCH_WORKERD_INSPECTOR_PORT: String(args.inspectorPort) } : {}),
    },
  });
  const url = `http://127.0.0.1:${via === "direct" ? directPort : port}`;
  const clientHeaders: Record<string, string> = via === "direct" ? { "cf-connecting-ip": "127.0.0.1" } : {};
  try {
    await waitUntil(
      `workerd serving GET /v1 (${via})`,
      async () => {
        const res = await fetch(`${url}/v1`, { signal: AbortSignal.timeout(5000) });
        return res.status === 200 && serviceStatus.safeParse(await res.json()).success;
      },
      { timeoutMs: 90_000, intervalMs: 250, gone: daemon.exited, describe: () => daemon.logTail(40) },
    );
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  const cpuByProcess = () => groupCpuByName(daemon.pid);
  return {
    url,
    via,
    state: state.where,
    clientHeaders,
    pgid: daemon.pid,
    cpuByProcess,
    cpuMicros: async () => Object.values(cpuByProcess()).reduce((a, b) => a + b, 0),
    stop: async () => {
      await daemon.stop(10_000);
    },
  };
}

// User + system CPU time (µs) of every process in a process group, summed by executable name (from /proc).
export function groupCpuByName(pgid: number): Record<string, number> {
  const tick = 1e6 / 100; // USER_HZ is 100 on Linux
  const byName: Record<string, number> = {};
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue; // field 5: pgrp
    byName[name] = (byName[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) * tick; // utime, stime
  }
  return byName;
}
