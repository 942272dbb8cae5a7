// Dispatcher throughput: a queue filled first, then 1, 10 or 50 fake agents (fake-agent.ts) long-polling
// POST /v1/agent/lease and completing each job at once, until the queue is empty. Reported per runtime: jobs/s
// (jobs / drain time), lease and complete latency (wall clock, reported, never asserted), and the API's CPU
// per job (its processes' user + system time over the drain: the Node API process, or workerd and its host, each
// also reported alone).
import { readdirSync, readFileSync } from "node:fs";
import { Agent } from "node:http";
import { FakeAgent } from "./fake-agent.ts";
import { httpCall } from "./node/load.ts";
import { benchRequest } from "./node-cpu.bench.ts";
import { round, summarize } from "./stats.ts";

export interface DrainTarget {
  url: string;
  token: string;
  firmwareVersion: string;
  // Sent on every request of producers and agents (workerd's direct socket: CF-Connecting-IP).
  headers?: Record<string, string>;
  // CPU time (µs) the API has used so far.
  cpuMicros(): Promise<number>;
  // The same split by process (executable name), when the API runs as several (workerd and its host).
  cpuByProcess?(): Record<string, number>;
  profile?(cmd: "profile-start" | "profile-stop"): void;
}

// Fills the queue with `jobs` new jobs, `concurrency` POSTs at a time.
async function fill(url: string, jobs: number, tag: string, headers?: Record<string, string>): Promise<void> {
  const base = new URL(url);
  const http = new Agent({ keepAlive: true, maxSockets: 16 });
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < jobs) {
        const i = next++;
        const body = JSON.stringify(benchRequest(`drain_${tag}_${i}`));
        const res = await httpCall(http, base, { method: "POST", path: "/v1/compile", body, headers });
        if (res.status !== 200) throw new Error(`POST /v1/compile answered ${res.status}: ${res.body}`);
      }
    }),
  );
  http.destroy();
}

export async function drain(target: DrainTarget, agents: number, jobs: number) {
  const tag = `${agents}a${Date.now().toString(36)}`;
  await fill(target.url, jobs, tag, target.headers);
  const fleet = Array.from(
    { length: agents },
    (_, i) =>
      new FakeAgent(target.url, {
        id: `bench-${tag}-${i}`,
        token: target.token,
        firmwareVersion: target.firmwareVersion,
        headers: target.headers,
      }),
  );
  const leaseMs: number[] = [];
  const completeMs: number[] = [];
  let done = 0;
  let errors = 0;
  // When the last job completed. The agents then say goodbye, as a fleet shutting down does, which ends their
  // open long polls (the disconnect route): the run ends once those have returned, not up to a poll's wait later.
  let lastCompleteAt = 0;
  let goodbye: Promise<unknown> | null = null;
  const sayGoodbye = () => (goodbye ??= Promise.all(fleet.map((a) => a.disconnect())));
  target.profile?.("profile-start");
  const cpuBefore = await target.cpuMicros();
  const agentsCpuBefore = process.cpuUsage();
  const byProcessBefore = target.cpuByProcess?.();
  const start = performance.now();
  await Promise.all(
    fleet.map(async (agent) => {
      while (done < jobs) {
        const t0 = performance.now();
        const job = await agent.lease(1_000).catch(() => {
          errors++;
          return null;
        });
        if (!job) {
          if (done >= jobs || errors > jobs) return;
          continue;
        }
        const t1 = performance.now();
        leaseMs.push(t1 - t0);
        await agent.completeFailed(job).then(
          () => {
            done++;
            lastCompleteAt = performance.now();
            if (done >= jobs) void sayGoodbye();
          },
          () => errors++,
        );
        completeMs.push(performance.now() - t1);
      }
    }),
  );
  await sayGoodbye();
  const seconds = (performance.now() - start) / 1000;
  const agentsCpu = process.cpuUsage(agentsCpuBefore);
  const cpuMs = ((await target.cpuMicros()) - cpuBefore) / 1000;
  const byProcessAfter = target.cpuByProcess?.();
  const byProcess =
    byProcessBefore && byProcessAfter
      ? Object.fromEntries(
          Object.entries(byProcessAfter).map(([name, micros]) => [
            name,
            round((micros - (byProcessBefore[name] ?? 0)) / 1000 / Math.max(1, done), 2),
          ]),
        )
      : undefined;
  target.profile?.("profile-stop");
  for (const a of fleet) a.close();
  const lease = summarize(leaseMs);
  const complete = summarize(completeMs);
  return {
    agents,
    jobs: done,
    errors,
    seconds: round(seconds, 2),
    jobs_per_s: round(done / seconds, 1),
    // The same up to the last completion: `seconds` also holds the agents' goodbye, which ends their last polls.
    jobs_per_s_to_last_complete: round(done / Math.max(1e-3, (lastCompleteAt - start) / 1000), 1),
    lease_p50_ms: lease.p50_ms,
    lease_p99_ms: lease.p99_ms,
    complete_p50_ms: complete.p50_ms,
    complete_p99_ms: complete.p99_ms,
    api_cpu_ms_per_job: round(cpuMs / Math.max(1, done), 2),
    // The fake agents' own process (this one): when it nears a core, it is what bounds jobs/s, not the API.
    agents_cpu_ms_per_job: round((agentsCpu.user + agentsCpu.system) / 1000 / Math.max(1, done), 2),
    ...(byProcess ? { api_cpu_ms_per_job_by_process: byProcess } : {}),
  };
}

// CPU time of every process in a process group (a daemon started by test/servers/daemon.ts), from /proc.
export function groupCpuMicros(pgid: number): number {
  const tick = 1e6 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue; // field 5: pgrp
    total += (Number(fields[11]) + Number(fields[12])) * tick; // fields 14, 15: utime, stime
  }
  return total;
}
