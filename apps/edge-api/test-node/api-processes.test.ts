// More than one API process on one Redis and one BLOB_DIR (node/cluster.ts, docs/architecture.md "The API on
// every core (processes)"): two processes serve one API (a job posted through one is leased, built and read
// through the other; a lease waiting in either gets a job posted through the other; an operator's purge
// through one shows through the other), API_PROCESSES=2 answers GET /metrics with every worker's counts,
// replaces a killed worker without losing an accepted job and drains on SIGTERM, and a bad API_PROCESSES is
// refused by name.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileEnqueued, CompileStatus, LeaseResponse } from "@qmk-edge/schema";
import { afterAll, describe, expect, inject, it, onTestFailed } from "vitest";
import { freePort } from "../../../test/servers/daemon.ts";
import { ConfigError, loadNodeConfig } from "../src/node/config.ts";
import { Agent, compileBody, json } from "../test-support/api-client.ts";
import { httpFetch } from "../test-support/http-fetch.ts";
import { spawnNodeApi } from "../test-support/node-process.ts";
import type { Target } from "../test-support/target.ts";

const AGENT_SECRET = "processes-test-agent-token";
const OPERATOR = "processes-test-operator-token";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until<T>(check: () => T | Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got) return got as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// One API (its processes) on the shared Redis under its own prefix and a fresh BLOB_DIR.
async function sharedSetup() {
  const dir = mkdtempSync(join(tmpdir(), "qmk-edge-processes-"));
  dirs.push(dir);
  const env = {
    REDIS_URL: inject("redisUrl"),
    REDIS_PREFIX: `processes-${await freePort()}:`,
    BLOB_DIR: dir,
    AGENT_TOKENS: `fleet:trusted:${AGENT_SECRET}`,
    OPERATOR_TOKENS: OPERATOR,
    RATE_LIMIT_PER_MINUTE: "1000000",
  };
  return { dir, env };
}

async function spawnApi(env: Record<string, string>) {
  const port = await freePort();
  const api = spawnNodeApi({ ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  return { ...api, url, port };
}

// Every request but a long poll gives up after this: one that hangs fails where it hangs.
const REQUEST_TIMEOUT_MS = 30_000;
const bounded = (init: RequestInit = {}): RequestInit => ({
  signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  ...init,
});

// The test-support Agent speaks to whichever process `url` is.
function targetAt(url: string): Target {
  return {
    name: "node",
    fetch: (path: string, init?: RequestInit) => fetch(`${url}${path}`, bounded(init)),
    agentToken: AGENT_SECRET,
    firmwareVersion: "demo-1",
  } as unknown as Target;
}

async function post(url: string, body = compileBody()): Promise<string> {
  const res = await fetch(`${url}/v1/compile`, bounded(json(body)));
  expect(res.status).toBe(200);
  return ((await res.json()) as CompileEnqueued).job_id;
}

async function statusAt(url: string, id: string): Promise<CompileStatus> {
  const res = await fetch(`${url}/v1/compile/${id}`, bounded());
  expect(res.status).toBe(200);
  return (await res.json()) as CompileStatus;
}

function leasePoll(url: string, agentId: string, waitMs: number) {
  return fetch(`${url}/v1/agent/lease`, {
    method: "POST",
    headers: { authorization: `Bearer ${AGENT_SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({
      agent_id: agentId,
      toolchains: ["avr", "arm"],
      firmware_version: "demo-1",
      wait_ms: waitMs,
    }),
  });
}

describe("two API processes on one Redis and one BLOB_DIR", () => {
  it("serve one API: posted through one, leased, built and read through the other; leases waiting in both get jobs posted through one; a purge shows in both", async () => {
    const { env } = await sharedSetup();
    const a = await spawnApi(env);
    const b = await spawnApi(env);
    onTestFailed(() => console.error(`A:\n${a.output()}\nB:\n${b.output()}`));
    try {
      await until(
        () => a.output().includes("listening on") && b.output().includes("listening on"),
        20_000,
        "both",
      );

      // A job posted through A is leased and completed through B; A reads it finished.
      const body = compileBody();
      const id = await post(a.url, body);
      const agentB = new Agent(targetAt(b.url), "agent-on-b");
      await agentB.build(id);
      expect(await statusAt(a.url, id)).toMatchObject({ status: "finished" });
      // Posted again through A, it is a build-cache hit, saved in A's pack of that moment; B reads it there.
      const hit = await post(a.url, body);
      expect(await statusAt(b.url, hit)).toMatchObject({ status: "finished", id: hit });

      // A lease waiting in A and one waiting in B each get one of two jobs posted through A. (Whether B's watch
      // woke it or its own look again, every 5 s and at the end of its wait, found the job is latency only,
      // and not told apart here: see docs/architecture.md "Waiting agents on Redis".)
      const polls = [leasePoll(a.url, "wait-a", 20_000), leasePoll(b.url, "wait-b", 20_000)];
      // Both polls are waiting once both agents are seen (a poll records its agent before it waits).
      await until(
        async () =>
          ((await (await fetch(`${a.url}/v1`, bounded())).json()) as { agents_seen: number }).agents_seen >=
          3,
        20_000,
        "both polls to wait",
      );
      const ids = [await post(a.url), await post(a.url)];
      const leased = await Promise.all(
        polls.map(async (poll) => {
          const r = await poll;
          expect(r.status).toBe(200);
          return ((await r.json()) as LeaseResponse).job.id;
        }),
      );
      expect(new Set(leased)).toEqual(new Set(ids));

      // A finished record B has read (and keeps in memory) shows B an operator's purge made through A.
      expect(await statusAt(b.url, id)).not.toHaveProperty("purged");
      const purge = await fetch(
        `${a.url}/v1/operator/agents/fleet/purge`,
        bounded(json({}, { authorization: `Bearer ${OPERATOR}` })),
      );
      expect(purge.status).toBe(200);
      expect(((await purge.json()) as { marked_jobs: string[] }).marked_jobs).toEqual(
        expect.arrayContaining([id, hit]),
      );
      expect(await statusAt(a.url, id)).toHaveProperty("purged");
      expect(await statusAt(a.url, hit)).toHaveProperty("purged");
      await until(async () => "purged" in (await statusAt(b.url, id)), 20_000, "B to show the purge");
      await until(async () => "purged" in (await statusAt(b.url, hit)), 20_000, "B to show the hit's purge");
    } finally {
      a.child.kill("SIGKILL");
      b.child.kill("SIGKILL");
      await Promise.all([a.exited, b.exited]);
    }
  }, 120_000);
});

const workerPids = (output: string, slot: number) =>
  [...output.matchAll(new RegExp(`worker listening slot=${slot} pid=(\\d+)`, "g"))].map((m) => Number(m[1]));

describe("API_PROCESSES=2 (node/cluster.ts)", () => {
  it("counts every worker's jobs on GET /metrics, replaces a killed worker without losing an accepted job, and drains on SIGTERM", async () => {
    const { env } = await sharedSetup();
    const api = await spawnApi({ ...env, API_PROCESSES: "2" });
    onTestFailed(() => console.error(api.output()));
    try {
      await until(
        () => workerPids(api.output(), 1).length === 1 && workerPids(api.output(), 2).length === 1,
        20_000,
        "two workers",
      );
      const victim = workerPids(api.output(), 1)[0] as number;

      // GET /metrics counts what every worker accepted, whichever worker answers the scrape. Each request on a
      // connection of its own: the primary hands connections to the workers in turn.
      const acknowledged = new Set<string>();
      const close = { connection: "close" };
      for (let i = 0; i < 6; i++) {
        const res = await httpFetch(`${api.url}/v1/compile`, {
          method: "POST",
          headers: { "content-type": "application/json", ...close },
          body: JSON.stringify(compileBody()),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        expect(res.status).toBe(200);
        acknowledged.add(((await res.json()) as CompileEnqueued).job_id);
      }
      for (let i = 0; i < 4; i++) {
        const res = await httpFetch(`${api.url}/metrics`, {
          headers: { authorization: `Bearer ${OPERATOR}`, ...close },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(text).toMatch(/^qmk_edge_jobs_submitted_total\{[^}]*cached="false"[^}]*\} 6$/m);
        expect(text).toMatch(/^qmk_edge_queue_depth\{[^}]*\} 6$/m);
      }

      // Clients post (their connections land on either worker) while worker 1 is killed.
      let stop = false;
      const client = async () => {
        while (!stop) {
          const res = await httpFetch(`${api.url}/v1/compile`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(compileBody()),
            // A connection the primary handed to the worker being killed may never be answered.
            signal: AbortSignal.timeout(10_000),
          }).catch(() => null);
          if (res?.status === 200) acknowledged.add(((await res.json()) as CompileEnqueued).job_id);
        }
      };
      const clients = Array.from({ length: 8 }, client);
      await until(() => acknowledged.size >= 20, 60_000, "20 acknowledged jobs");
      process.kill(victim, "SIGKILL");
      await until(() => workerPids(api.output(), 1).length === 2, 30_000, "worker 1 to be replaced");
      expect(api.output()).toMatch(
        new RegExp(`worker died; replacing it slot=1 pid=${victim} .*signal=SIGKILL`),
      );
      const afterReplace = acknowledged.size;
      await until(() => acknowledged.size >= afterReplace + 20, 60_000, "20 more acknowledged jobs");
      stop = true;
      await Promise.all(clients);

      // Every job acknowledged with 200 is there and is leased once: none lost with the worker.
      const agent = new Agent(targetAt(api.url), "drainer");
      const leased = new Set<string>();
      for (let lease = await agent.lease(); lease; lease = await agent.lease()) {
        expect(leased.has(lease.job.id)).toBe(false);
        leased.add(lease.job.id);
        expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
      }
      for (const id of acknowledged)
        expect(leased.has(id), `acknowledged job ${id} was not leased`).toBe(true);

      // SIGTERM to the primary: a waiting long poll ends 204, every worker stops 0, the primary exits 0.
      const poll = leasePoll(api.url, "last-poll", 20_000);
      await until(
        async () =>
          ((await (await fetch(`${api.url}/v1`, bounded())).json()) as { agents_seen: number }).agents_seen >=
          2,
        20_000,
        "the poll to wait",
      );
      api.child.kill("SIGTERM");
      expect((await poll).status).toBe(204);
      expect(await api.exited).toBe(0);
      expect(api.output().match(/worker stopped slot=\d pid=\d+ code=0 /g)).toHaveLength(2);
    } finally {
      api.child.kill("SIGKILL");
      for (const slot of [1, 2]) for (const pid of workerPids(api.output(), slot)) killQuietly(pid);
    }
  }, 180_000);
});

function killQuietly(pid: number) {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

describe("API_PROCESSES", () => {
  const base = { REDIS_URL: "redis://127.0.0.1:1", BLOB_DIR: tmpdir(), AGENT_TOKENS: AGENT_SECRET };

  it("takes a number or auto (one per core) and defaults to one process", () => {
    expect(loadNodeConfig(base).processes).toBe(1);
    expect(loadNodeConfig({ ...base, API_PROCESSES: "3" }).processes).toBe(3);
    expect(loadNodeConfig({ ...base, API_PROCESSES: " Auto " }).processes).toBe(availableParallelism());
  });

  it("refuses anything else by name", async () => {
    for (const bad of ["0", "-1", "1.5", "two", "257", "2x"]) {
      let problems: string[] = [];
      try {
        loadNodeConfig({ ...base, API_PROCESSES: bad });
      } catch (err) {
        if (err instanceof ConfigError) problems = err.problems;
      }
      expect(problems, `API_PROCESSES=${bad}`).toEqual([
        "API_PROCESSES: a number from 1 to 256, or auto (one per core)",
      ]);
    }
    const api = await spawnApi({ ...base, API_PROCESSES: "many" });
    expect(await api.exited).toBe(2);
    expect(api.output()).toContain("API_PROCESSES: a number from 1 to 256, or auto (one per core)");
  });

  it("stops with the reason when its port is taken, as one process and as several", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = String((taken.address() as AddressInfo).port);
    try {
      for (const processes of ["1", "2"]) {
        const { env } = await sharedSetup();
        const api = spawnNodeApi({ ...env, PORT: port, API_PROCESSES: processes });
        expect(await api.exited, `API_PROCESSES=${processes}: ${api.output()}`).toBe(2);
        expect(api.output()).toContain(`qmk-edge: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
