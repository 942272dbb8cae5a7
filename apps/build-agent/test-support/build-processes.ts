import { readdir, readFile } from "node:fs/promises";

// The processes of a job's build, found in /proc: make runs with QMK_EDGE_JOB=<job id> as the leader of its
// own process group, and everything it starts (compilers, a slow tree's `sleep`) stays in that group.

interface Proc {
  pid: number;
  pgrp: number;
  state: string;
  cmdline: string;
}

async function processes(): Promise<Proc[]> {
  const pids = (await readdir("/proc")).filter((p) => /^\d+$/.test(p));
  const found = await Promise.all(
    pids.map(async (pid): Promise<Proc | null> => {
      const [stat, cmdline] = await Promise.all([
        readFile(`/proc/${pid}/stat`, "utf8").catch(() => null),
        readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => null),
      ]);
      if (stat === null || cmdline === null) return null;
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return { pid: Number(pid), pgrp: Number(pgrp), state: state!, cmdline: cmdline.replaceAll("\0", " ") };
    }),
  );
  return found.filter((p): p is Proc => p !== null);
}

const living = (p: Proc) => p.state !== "Z" && p.state !== "X";

// Process groups of the job's builds that are running now (usually one).
export async function buildGroups(jobId: string): Promise<number[]> {
  const procs = await processes();
  return [
    ...new Set(
      procs.filter((p) => living(p) && p.cmdline.includes(`QMK_EDGE_JOB=${jobId}`)).map((p) => p.pgrp),
    ),
  ];
}

// Whether any process of these groups is still alive (zombies count as gone).
export async function groupsAlive(groups: number[]): Promise<boolean> {
  return (await processes()).some((p) => living(p) && groups.includes(p.pgrp));
}

// The process groups of the job's build once make is running; fails after `timeoutMs`.
export async function runningBuild(jobId: string, timeoutMs = 60_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const groups = await buildGroups(jobId);
    if (groups.length > 0) return groups;
    if (Date.now() > deadline) throw new Error(`no make of job ${jobId} ran within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
