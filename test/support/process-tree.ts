import { readdirSync, readFileSync } from "node:fs";

// Processes as /proc shows them, to follow what a command started. A process is named by its pid and its
// start time (field 22 of /proc/<pid>/stat), so a pid the kernel hands out again is not mistaken for it.

export interface Proc {
  pid: number;
  ppid: number;
  pgrp: number;
  start: string;
  state: string;
  cmdline: string;
}

function read(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(f[1]), pgrp: Number(f[2]), start: f[19]!, state: f[0]!, cmdline };
  } catch {
    return null;
  }
}

function all(): Proc[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map((p) => read(Number(p)))
    .filter((p): p is Proc => p !== null);
}

// `root` and every process below it now.
export function processTree(root: number): Proc[] {
  const procs = all();
  const found = procs.filter((p) => p.pid === root);
  for (let i = 0; i < found.length; i++) {
    for (const p of procs) if (p.ppid === found[i]!.pid) found.push(p);
  }
  return found;
}

// Those of `procs` still running (zombies count as gone).
export function stillRunning(procs: Proc[]): Proc[] {
  return procs.filter((p) => {
    const now = read(p.pid);
    return now !== null && now.start === p.start && now.state !== "Z" && now.state !== "X";
  });
}

export function killAll(procs: Proc[]): void {
  for (const p of stillRunning(procs)) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}
