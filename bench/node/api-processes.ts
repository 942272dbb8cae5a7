// The Node edge API as an operator runs it with API_PROCESSES=n (src/node/main.ts: a node:cluster primary and
// n workers sharing the port), in a process group of its own, so its CPU time is every API process's user +
// system time from /proc (dispatcher.bench.ts groupCpuMicros): workers and primary, nothing of the load
// generator or the fake agents in the parent. Same settings as node-cpu.bench.ts startApiProcess.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { freePort } from "@qmk-edge/test/servers/daemon.ts";
import { groupCpuMicros } from "../dispatcher.bench.ts";
import { BENCH_AGENT_TOKEN } from "../node-cpu.bench.ts";
import { benchTempDir } from "../temp-dirs.ts";

const entry = new URL("../../apps/edge-api/src/node/main.ts", import.meta.url).pathname;

export interface ApiProcesses {
  url: string;
  processes: number;
  pids(): number[];
  cpuMicros(): Promise<number>;
  // The same split: the cluster's primary (it hands connections to the workers) and the workers.
  cpuByProcess(): Record<string, number>;
  stop(): Promise<void>;
}

export async function startApiProcesses(redisUrl: string, processes: number): Promise<ApiProcesses> {
  const blobDir = benchTempDir("bench-blobs");
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      HOST: "127.0.0.1",
      REDIS_URL: redisUrl,
      BLOB_DIR: blobDir,
      AGENT_TOKENS: BENCH_AGENT_TOKEN,
      FIRMWARE_VERSION: "demo-1",
      MAX_ATTEMPTS: "3",
      LEASE_SECONDS: "60",
      RATE_LIMIT_PER_MINUTE: "1000000000",
      API_PROCESSES: String(processes),
    },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const workers: number[] = [];
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const listening = output.match(/qmk-edge API listening on /g)?.length ?? 0;
      if (listening >= processes) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the API exited ${code} before it listened:\n${output}`)));
  });
  await ready;
  for (const m of output.matchAll(/worker listening slot=\d+ pid=(\d+)/g)) workers.push(Number(m[1]));
  const pgid = child.pid as number;
  const pids = () => [pgid, ...workers];
  return {
    url: `http://127.0.0.1:${port}`,
    processes,
    pids,
    cpuMicros: async () => groupCpuMicros(pgid),
    // Kernel time (fsyncs, sockets) apart from user time: where more processes spend more.
    cpuByProcess: (): Record<string, number> => {
      const primary = processes > 1 ? processCpu(pgid) : { user: 0, system: 0 };
      const all = pids().reduce(
        (sum, pid) => {
          const c = processCpu(pid);
          return { user: sum.user + c.user, system: sum.system + c.system };
        },
        { user: 0, system: 0 },
      );
      return {
        ...(processes > 1 ? { primary: primary.user + primary.system } : {}),
        api_user: all.user - primary.user,
        api_system: all.system - primary.system,
      };
    },
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => process.kill(-pgid, "SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// user and system time (µs) of one process, from /proc (USER_HZ 100); a process gone counts nothing.
function processCpu(pid: number): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
  } catch {
    return { user: 0, system: 0 };
  }
}
