import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { dispatcherStub } from "../src/adapters/dispatcher/durable-object/interface.ts";
import type { DispatcherObject } from "../src/adapters/dispatcher/durable-object/object.ts";
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

// The Worker in workerd (vitest's Cloudflare pool), with its real R2, Queue and Durable Object bindings.
export const target: Target = {
  name: "workers",
  async fetch(path: string, init: TargetRequestInit = {}) {
    const { clientIp, direct, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", clientIp ?? freshIp());
    // On Workers the request URL carries the Host the client sent.
    const request = new Request(`http://${headers.get("host") ?? "qmk-edge.test"}${path}`, {
      ...rest,
      headers,
    });
    if (!changedEnv && !direct) return entry.fetch(request);
    return worker.fetch(
      request as Request<unknown, IncomingRequestCfProperties>,
      changedEnv ?? workerEnv,
      createExecutionContext(),
    );
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
  reapExpiredLeases(now: string) {
    return runInDurableObject(dispatcherStub(workerEnv.DISPATCHER), (object: DispatcherObject) =>
      object.reapExpiredLeases(now),
    );
  },
  // DurableObjectDispatcher.enqueue hands each job to the Dispatcher object as well as to the Queue.
  async deliverQueue() {},
};
