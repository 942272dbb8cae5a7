import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { DispatcherObject } from "../src/adapters/dispatcher/durable-object/object.ts";
import { shardStub } from "../src/adapters/dispatcher/durable-object/shards.ts";
import { sha256Hex } from "../src/bytes/sha256-hex.ts";
import type { Env } from "../src/workers/env.ts";
import worker from "../src/workers/main.ts";
import { TEST_AGENT_TOKENS, TEST_OPERATOR_TOKEN } from "./agent-tokens.ts";
import type { Target, TargetRequestInit } from "./target.ts";

export const workerEnv = env as unknown as Env;
const entry = (exports as unknown as { default: Fetcher }).default;

let clients = 0;
const freshIp = () => {
  clients++;
  return `198.18.${(clients >> 8) & 255}.${clients & 255}`;
};

// Vars changed by revokeAgentToken: requests then go to the Worker's handler with this env, which is what a
// deployment with the new configuration does. The Durable Objects keep their own env, as they would until
// they restart; nothing the tests check depends on that.
let changedEnv: Env | null = null;

function requestOf(path: string, init: TargetRequestInit): Request {
  const { clientIp, direct: _direct, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", clientIp ?? freshIp());
  // On Workers the request URL carries the Host the client sent.
  return new Request(`http://${headers.get("host") ?? "qmk-edge.test"}${path}`, { ...rest, headers });
}

// The Worker's handler with `env`, in this isolate (what a deployment with that env does).
const fetchWith =
  (env: Env) =>
  async (path: string, init: TargetRequestInit = {}): Promise<Response> =>
    await worker.fetch(
      requestOf(path, init) as Request<unknown, IncomingRequestCfProperties>,
      env,
      createExecutionContext(),
    );

// A Queue binding whose sends fail, as when the Queues service does not answer.
const unreachableQueue = {
  send: async () => {
    throw new Error("queue unreachable (test)");
  },
  sendBatch: async () => {
    throw new Error("queue unreachable (test)");
  },
} as unknown as Env["JOBS"];

// A Durable Object namespace whose object cannot be reached, as when the Dispatcher object is unavailable.
const unreachableDispatcher = {
  idFromName: (name: string) => workerEnv.DISPATCHER.idFromName(name),
  get: () => {
    throw new Error("Dispatcher object unreachable (test)");
  },
} as unknown as Env["DISPATCHER"];

// The Worker in workerd (vitest's Cloudflare pool), with its real R2, Queue and Durable Object bindings.
export const target: Target = {
  name: "workers",
  async fetch(path: string, init: TargetRequestInit = {}) {
    if (!changedEnv && !init.direct) return entry.fetch(requestOf(path, init));
    return fetchWith(changedEnv ?? workerEnv)(path, init);
  },
  async withEnv(vars: Record<string, string>) {
    return { fetch: fetchWith({ ...workerEnv, ...vars } as Env), close: async () => {} };
  },
  async withQueueDown() {
    const env = { ...workerEnv, JOBS: unreachableQueue, DISPATCHER: unreachableDispatcher };
    return { fetch: fetchWith(env), close: async () => {} };
  },
  agentToken: TEST_AGENT_TOKENS.local.token,
  tokens: TEST_AGENT_TOKENS,
  operatorToken: TEST_OPERATOR_TOKEN,
  firmwareVersion: workerEnv.FIRMWARE_VERSION,
  maxAttempts: Number(workerEnv.MAX_ATTEMPTS),
  rateLimitPerMinute: Number(workerEnv.RATE_LIMIT_PER_MINUTE),
  async revokeAgentToken(token: string) {
    const hash = await sha256Hex(token);
    const current = changedEnv ?? workerEnv;
    const kept = (current.AGENT_TOKEN_HASHES ?? "").split(",").filter((entry) => !entry.endsWith(hash));
    changedEnv = { ...workerEnv, ...(changedEnv ?? {}), AGENT_TOKEN_HASHES: kept.join(",") };
  },
  // Every dispatcher shard reaps its own leases.
  async reapExpiredLeases(now: string) {
    const shards = Array.from({ length: Number(workerEnv.DISPATCHER_SHARDS ?? 1) }, (_, i) =>
      runInDurableObject(shardStub(workerEnv.DISPATCHER, i), (object: DispatcherObject) =>
        object.reapExpiredLeases(now),
      ),
    );
    return (await Promise.all(shards)).reduce((a, b) => a + b, 0);
  },
  // DurableObjectDispatcher.enqueue hands each job to the Dispatcher object as well as to the Queue.
  async deliverQueue() {},
};
