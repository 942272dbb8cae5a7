// BENCH_WORKERD_PERF=<file>: `perf record -e cpu-clock -g` of the host's workerd over each drain (fill
// excluded), to see where its CPU per job goes (JIT'd JavaScript shows as unknown frames; the inspector,
// BENCH_WORKERD_INSPECTOR_PORT, names those). Read it with `perf report -i <file>`; needs perf and its rights.
import { type ChildProcess, spawn } from "node:child_process";
import { openSync } from "node:fs";
import { join } from "node:path";
import { workerdOf } from "./fsyncs.ts";

export function perfRecorder(pgid: number, file: string): (cmd: "profile-start" | "profile-stop") => void {
  let perf: ChildProcess | null = null;
  return (cmd) => {
    if (cmd === "profile-start") {
      const pid = workerdOf(pgid);
      if (pid === undefined) return;
      perf = spawn("perf", ["record", "-e", "cpu-clock", "-g", "-o", file, "-p", String(pid)], {
        stdio: "ignore",
      });
    } else {
      perf?.kill("SIGINT");
      perf = null;
    }
  };
}

// BENCH_WORKERD_JS_PROFILE: workers/js-profile.ts over the first `seconds` of each drain; its summary goes to
// <dir>/top.txt.
export function jsProfiler(
  port: number,
  dir: string,
  seconds: number,
): (cmd: "profile-start" | "profile-stop") => void {
  return (cmd) => {
    if (cmd !== "profile-start") return;
    const out = openSync(join(dir, "top.txt"), "w");
    spawn(
      process.execPath,
      [join(import.meta.dirname, "js-profile.ts"), String(port), String(seconds), dir],
      {
        stdio: ["ignore", out, "inherit"],
      },
    );
  };
}
