import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { leaseResponse } from "@qmk-edge/schema";
import { getStatus, submit, waitForEnd } from "@qmk-edge/test/support/compile-client.ts";
import type { FaultProxy } from "@qmk-edge/test/support/fault-proxy.ts";
import { defaultKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { slowDemoTree } from "@qmk-edge/test/support/firmware/slow-tree.ts";
import { type ProxiedApi, startProxiedApi } from "@qmk-edge/test/support/proxied-api.ts";
import { type Agent, type EdgeApi, LOCAL_AGENT_TOKEN, startAgent } from "@qmk-edge/test/support/system.ts";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { groupsAlive, runningBuild } from "../test-support/build-processes.ts";
import { drainQueue } from "../test-support/queue-drain.ts";

// qmk-edge-agent as a process against the real edge API in workerd: its log formats, and SIGTERM/SIGINT
// ending in exit 0 with running work released. The proxy only watches here; it injects no faults.

let dir: string;
let api: EdgeApi;
let proxy: FaultProxy;
let agent: Agent | null = null;
let system: ProxiedApi;

beforeAll(async () => {
  system = await startProxiedApi("agent-proc");
  ({ api, proxy, dir } = system);
});
afterAll(async () => system?.stop());
afterEach(async () => {
  await agent?.kill();
  agent = null;
  // A lease poll the agent gave up on still claims a job arriving before its wait is over (wrangler dev does
  // not tell the Worker the client hung up): let it run out before the next test submits.
  await new Promise((r) => setTimeout(r, 1250));
  await drainQueue(api.url);
});

function spawnAgent(name: string, over: { tree?: string; logFormat?: "json" | "human"; extra?: string[] }) {
  agent = startAgent({
    api: proxy.url,
    workDir: join(dir, `work-${name}`),
    logFile: join(dir, `${name}.log`),
    agentId: name,
    tree: over.tree,
    logFormat: over.logFormat,
    extra: ["--lease-wait", "1s", ...(over.extra ?? [])], // 1s: see afterEach
  });
  return agent;
}

test("SIGTERM stops leasing, releases the job still building after the grace period, and exits 0", async () => {
  const tree = slowDemoTree(join(dir, "slow-tree"), 30);
  const id = await submit(api.url, { ...(await defaultKeymap("handwired/edge_pad")), keymap: "proc_term" });
  // One slot, busy: no lease poll is open at shutdown to claim the released job straight back.
  const proc = spawnAgent("agent-json", { tree, extra: ["--concurrency", "1", "--shutdown-grace", "500ms"] });
  const groups = await runningBuild(id);
  await proc.stop(); // SIGTERM, by PID
  expect(await proc.daemon.exited).toBe(0);

  // Released to the API, so back in the queue with no attempt counted; never completed.
  const releases = proxy.exchanges({ path: `/v1/agent/jobs/${id}/release` });
  expect(releases.map((ex) => ex.status)).toEqual([204]);
  expect(JSON.parse(releases[0]!.requestBody.toString()).reason).toBe("agent shutting down");
  expect(proxy.exchanges({ path: `/v1/agent/jobs/${id}/complete` })).toEqual([]);
  const status = await getStatus(api.url, id);
  expect({ status: status.status, attempts: status.attempts }).toEqual({ status: "queued", attempts: 0 });

  // Every line is a JSON object with time, level and msg; the job's lines carry its id.
  const lines = (await readFile(proc.daemon.logFile, "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  for (const l of lines)
    expect(l).toMatchObject({ time: expect.any(String), level: expect.any(String), msg: expect.any(String) });
  expect(lines.some((l) => l.msg === "leased" && l.job === id)).toBe(true);
  expect(lines.some((l) => /releasing the job/.test(l.msg) && l.job === id)).toBe(true);
  expect(lines.at(-1).msg).toBe("agent stopped");
  await expect.poll(() => groupsAlive(groups), { timeout: 30_000 }).toBe(false);
});

test("human logs: a line per stage with its duration; SIGINT after the job exits 0", async () => {
  const id = await submit(api.url, { ...(await defaultKeymap("handwired/edge_pad")), keymap: "proc_human" });
  const proc = spawnAgent("agent-human", { logFormat: "human" });
  expect((await waitForEnd(api.url, id)).status).toBe("finished");
  process.kill(proc.daemon.pid, "SIGINT");
  expect(await proc.daemon.exited).toBe(0);
  const log = await readFile(proc.daemon.logFile, "utf8");
  for (const stage of ["preparing", "compiling", "packaging", "uploading"]) {
    expect(log).toMatch(new RegExp(`info  job ${id.slice(0, 8)} ${stage}: done in \\d+(\\.\\d)?(ms|s)`));
  }
  expect(log).toMatch(new RegExp(`job ${id.slice(0, 8)} finished in`));
  expect(log).toContain("shutting down: no new jobs");
});

test("SIGTERM while waiting for a job: the agent says goodbye, so the next job goes to another agent at once", async () => {
  const seen = async () =>
    ((await (await fetch(`${api.url}/v1`)).json()) as { agents_seen: number }).agents_seen;
  const before = await seen();
  // A long wait, so the poll the agent abandons at shutdown would still be held when the job arrives.
  const proc = spawnAgent("agent-idle", { extra: ["--lease-wait", "20s"] });
  await expect.poll(seen, { timeout: 30_000 }).toBeGreaterThan(before);
  await proc.stop(); // SIGTERM, by PID
  expect(await proc.daemon.exited).toBe(0);
  const goodbyes = proxy
    .exchanges({ path: "/v1/agent/disconnect" })
    .filter((ex) => JSON.parse(ex.requestBody.toString()).agent_id === "agent-idle");
  expect(goodbyes.map((ex) => ex.status)).toEqual([200]);

  const id = await submit(api.url, { ...(await defaultKeymap("handwired/edge_pad")), keymap: "proc_idle" });
  const res = await fetch(`${api.url}/v1/agent/lease`, {
    method: "POST",
    headers: { authorization: `Bearer ${LOCAL_AGENT_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ agent_id: "next-agent", toolchains: ["avr", "arm"], firmware_version: "demo-1" }),
  });
  expect(res.status).toBe(200);
  const lease = leaseResponse.parse(await res.json());
  expect({ id: lease.job.id, attempts: lease.job.attempts }).toEqual({ id, attempts: 0 });
  await fetch(`${api.url}/v1/agent/jobs/${id}/release`, {
    method: "POST",
    headers: { authorization: `Bearer ${LOCAL_AGENT_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ lease_id: lease.lease_id, reason: "test over" }),
  });
});

// Write syscalls the process has made so far (Linux /proc/<pid>/io): a spinning logger shows here as tens of
// thousands of failed writes, whatever the machine's speed.
const writeCalls = (pid: number) =>
  Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))![1]);

test("stderr on a pipe whose reader goes away: the agent keeps building, logs to its work dir, and does not spin", async () => {
  const workDir = join(dir, "work-pipe");
  const proc = startAgent({
    api: proxy.url,
    workDir,
    logFile: join(dir, "pipe.log"),
    agentId: "agent-pipe",
    stderrPipe: true,
    extra: ["--lease-wait", "1s"],
  });
  agent = proc;
  const stderr = proc.daemon.stderr!;
  let seen = "";
  await new Promise<void>((resolve, reject) => {
    stderr.on("data", (c: Buffer) => {
      seen += c.toString();
      if (seen.includes('"msg":"agent started"')) resolve();
    });
    void proc.daemon.exited.then((code) => reject(new Error(`agent exited (${code}): ${seen}`)));
  });
  // The reader goes away (as when `npm start` or a log collector dies): the agent's next line meets EPIPE.
  stderr.destroy();
  const before = writeCalls(proc.daemon.pid);

  const id = await submit(api.url, { ...(await defaultKeymap("handwired/edge_pad")), keymap: "proc_pipe" });
  expect((await waitForEnd(api.url, id, 90_000)).status).toBe("finished");
  // One job's writes (sources, zips, uploads, log lines): a few hundred. The old failure loop made ~10,000 a second.
  expect(writeCalls(proc.daemon.pid) - before).toBeLessThan(3000);

  const lines = () =>
    readFileSync(join(workDir, "agent.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; job?: string; problem?: string });
  expect(lines()[0]).toMatchObject({
    msg: `writing the log to stderr failed; appending it to ${join(workDir, "agent.log")} from now on`,
    problem: expect.stringMatching(/^EPIPE/),
  });
  expect(lines().some((l) => l.msg === "leased" && l.job === id)).toBe(true);

  // Still an agent that stops cleanly: goodbye said, exit 0, and its last words in the file.
  await proc.stop();
  expect(await proc.daemon.exited).toBe(0);
  expect(lines().at(-1)?.msg).toBe("agent stopped");
  const goodbyes = proxy
    .exchanges({ path: "/v1/agent/disconnect" })
    .filter((ex) => JSON.parse(ex.requestBody.toString()).agent_id === "agent-pipe");
  expect(goodbyes.map((ex) => ex.status)).toEqual([200]);
});
