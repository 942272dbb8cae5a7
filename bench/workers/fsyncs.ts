// What local workerd syncs to disk during a drain (issue 20): its jobs/s is bound by fsyncs on its one thread,
// not by CPU (docs/architecture.md, "What the API costs"). With BENCH_WORKERD_FSYNCS=1 the dispatcher bench
// attaches `strace -f -y -e trace=fsync,fdatasync` to the host's workerd around each drain (fill included)
// and reports the calls per job by what they sync: the Dispatcher objects' SQLite (a commit each), their alarm
// table, the other objects, and the R2 simulator's SQLite. The last is a labelled share only: production's R2
// is a network service that costs the Worker no fsync, so it is never subtracted from the headline. strace
// slows workerd down, so jobs/s of a traced run is not a figure; needs strace and ptrace rights.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FsyncTrace {
  // Calls by what they synced, divided by `jobs`.
  stop(jobs: number): Promise<Record<string, number>>;
}

// The fsync'ed file's kind, from its path in the host's state directory.
export function fsyncKind(path: string): string {
  if (path.includes("/r2/")) return "r2_simulated";
  if (path.includes("DispatcherObject/metadata.sqlite")) return "dispatcher_alarms";
  if (path.includes("DispatcherObject")) return "dispatcher_sqlite";
  if (path.includes("/do/")) return "other_objects";
  return "other";
}

// The workerd process of a process group (the host's), or undefined.
export function workerdOf(pgid: number): number | undefined {
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (name === "workerd" && pgrp === pgid) return Number(pid);
    } catch {}
  }
  return undefined;
}

export async function traceFsyncs(pgid: number): Promise<FsyncTrace | null> {
  const pid = workerdOf(pgid);
  if (pid === undefined) return null;
  const out = join(tmpdir(), `qmk-edge-fsyncs-${process.pid}-${pid}.txt`);
  const strace: ChildProcess = spawn(
    "strace",
    ["-f", "-y", "-e", "trace=fsync,fdatasync", "-o", out, "-p", String(pid)],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => strace.once("exit", () => resolve()));
  // strace prints "attached" to its stderr only; give it a moment to attach to every thread.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    async stop(jobs: number) {
      strace.kill("SIGINT");
      await exited;
      const counts: Record<string, number> = {};
      let text = "";
      try {
        text = readFileSync(out, "utf8");
      } finally {
        rmSync(out, { force: true });
      }
      for (const match of text.matchAll(/f(?:data)?sync\(\d+<([^>]*)>/g)) {
        const kind = fsyncKind(match[1] ?? "");
        counts[kind] = (counts[kind] ?? 0) + 1;
      }
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const perJob = (n: number) => Math.round((n / Math.max(1, jobs)) * 100) / 100;
      return {
        total: perJob(total),
        ...Object.fromEntries(Object.entries(counts).map(([kind, n]) => [kind, perJob(n)])),
      };
    },
  };
}
