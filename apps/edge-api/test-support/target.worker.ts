import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { DispatcherObject } from "../src/adapters/dispatcher/dispatcher-object.ts";
import { dispatcherStub } from "../src/adapters/dispatcher/durable-object.ts";
import type { Env } from "../src/worker-env.ts";
import type { Target, TargetRequestInit } from "./target.ts";

export const workerEnv = env as unknown as Env;
const worker = (exports as unknown as { default: Fetcher }).default;

let clients = 0;
const freshIp = () => {
  clients++;
  return `198.18.${(clients >> 8) & 255}.${clients & 255}`;
};

// The Worker in workerd (vitest's Cloudflare pool), with its real R2, Queue and Durable Object bindings.
export const target: Target = {
  name: "workers",
  async fetch(path: string, init: TargetRequestInit = {}) {
    const { clientIp, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", clientIp ?? freshIp());
    return worker.fetch(new Request(`http://qmk-edge.test${path}`, { ...rest, headers }));
  },
  agentToken: "qmk-edge-local-agent-token",
  firmwareVersion: workerEnv.FIRMWARE_VERSION,
  maxAttempts: Number(workerEnv.MAX_ATTEMPTS),
  rateLimitPerMinute: Number(workerEnv.RATE_LIMIT_PER_MINUTE),
  reapExpiredLeases(now: string) {
    return runInDurableObject(dispatcherStub(workerEnv.DISPATCHER), (object: DispatcherObject) =>
      object.reapExpiredLeases(now),
    );
  },
  // DurableObjectDispatcher.enqueue hands each job to the Dispatcher object as well as to the Queue.
  async deliverQueue() {},
};
