// CPU per request of the Worker's workerd for a few requests that cost one stage each, through the same host
// as the dispatcher bench (workers/workerd.ts: no wrangler dev): the request itself (a 404, no binding call),
// Durable Object calls (GET /v1: one per shard), an R2 get (an unknown job's status), and an agent's lease
// that finds no job (an offer to each shard, its presence noted). `node bench/workers/request-cpu.bench.ts`;
// BENCH_SHARDS (4), BENCH_REQUESTS (1500 each, 8 at a time), BENCH_WORKERD_VIA (direct: the Worker's own socket;
// entry: through Miniflare's entry worker). Not part of `npm run -s bench`.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent } from "node:http";
import { httpCall, type LoadRequest } from "../node/load.ts";
import { BENCH_AGENT_TOKEN } from "../node-cpu.bench.ts";
import { startWorkerd } from "./workerd.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const auth = { authorization: `Bearer ${BENCH_AGENT_TOKEN}`, "content-type": "application/json" };
const CASES: Record<string, () => LoadRequest> = {
  "404, no binding call": () => ({ method: "GET", path: "/nope" }),
  "GET /v1, one Durable Object call per shard": () => ({ method: "GET", path: "/v1" }),
  "GET /v1/compile/:id of an unknown job, one R2 get": () => ({
    method: "GET",
    path: "/v1/compile/00000000000000000000000000000000",
  }),
  "lease of a new agent, no job, wait 0": () => ({
    method: "POST",
    path: "/v1/agent/lease",
    headers: auth,
    body: JSON.stringify({
      agent_id: `cpu-${Math.random().toString(36).slice(2)}`,
      toolchains: ["avr", "arm"],
      firmware_version: "demo-1",
      wait_ms: 0,
    }),
  }),
};

export async function benchWorkerRequests(shards: number, requests: number) {
  const workerd = await startWorkerd({
    vars: {
      RATE_LIMIT_PER_MINUTE: "1000000000",
      DISPATCHER_SHARDS: String(shards),
      AGENT_TOKEN_HASHES: sha256(BENCH_AGENT_TOKEN),
      OPERATOR_TOKEN_HASHES: sha256("bench-operator"),
    },
  });
  const http = new Agent({ keepAlive: true, maxSockets: 8 });
  const base = new URL(workerd.url);
  const call = (req: LoadRequest) =>
    httpCall(http, base, { ...req, headers: { ...workerd.clientHeaders, ...req.headers } });
  const out: Record<string, Record<string, number>> = {};
  try {
    for (const [name, request] of Object.entries(CASES)) {
      for (let i = 0; i < 50; i++) await call(request()); // warm
      const before = workerd.cpuByProcess();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next++ < requests) await call(request());
        }),
      );
      const after = workerd.cpuByProcess();
      out[name] = Object.fromEntries(
        Object.entries(after).map(([proc, micros]) => [
          proc,
          Math.round((micros - (before[proc] ?? 0)) / requests) / 1000,
        ]),
      );
    }
  } finally {
    http.destroy();
    await workerd.stop();
  }
  return {
    shards,
    via: workerd.via,
    requests,
    load_average: readFileSync("/proc/loadavg", "utf8").split(" ")[0],
    cpu_ms_per_request: out,
  };
}

if (import.meta.main) {
  const result = await benchWorkerRequests(
    Number(process.env.BENCH_SHARDS ?? 4),
    Number(process.env.BENCH_REQUESTS ?? 1500),
  );
  console.log(JSON.stringify(result, null, 2));
}
