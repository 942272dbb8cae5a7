import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import type { Env } from "../src/workers/env.ts";
import worker from "../src/workers/main.ts";
import type { TargetRequestInit } from "./target.ts";

// Counts what one request of the Worker costs in calls to its bindings (docs/architecture.md, "What the API
// costs"): every R2 operation (`r2.get`, `r2.put`, ...), every Durable Object RPC by binding and method
// (`do.DISPATCHER.lease`), every Queue send. The bindings are the real ones of the workerd test run, wrapped
// so each call is counted and then made; nothing is answered in their place. The Durable Objects get their
// env from the runtime, so their own R2 operations are counted where they are made: R2BlobStore, whose
// methods each make one R2 call (the objects run in this isolate under vitest's pool).

export type Counts = Record<string, number>;

function counted<T extends object>(
  target: T,
  prefix: string,
  counts: Counts,
  wrapResult?: (v: unknown) => unknown,
) {
  return new Proxy(target, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop);
      if (typeof value !== "function" || typeof prop !== "string" || prop === "then") return value;
      return (...args: unknown[]) => {
        const name = `${prefix}.${prop}`;
        counts[name] = (counts[name] ?? 0) + 1;
        // Called as a method of the binding: an RPC stub's members answer `apply` and `bind` as remote calls.
        const result = (obj as unknown as Record<string, (...a: unknown[]) => unknown>)[prop]!(...args);
        return wrapResult ? wrapResult(result) : result;
      };
    },
  });
}

// A Durable Object namespace whose stubs count their RPC calls; making a stub (get, idFromName) costs nothing.
function countedNamespace(namespace: DurableObjectNamespace, binding: string, counts: Counts) {
  return new Proxy(namespace, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop);
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "getByName") {
        return (...args: unknown[]) =>
          counted(
            (obj as unknown as Record<string, (...a: unknown[]) => object>)[prop]!(...args),
            `do.${binding}`,
            counts,
          );
      }
      return (value as (...a: unknown[]) => unknown).bind(obj);
    },
  });
}

// R2BlobStore's methods by the R2 operation each makes (list: one per page; the keys listed here fit one).
const R2_METHODS = { get: "get", getText: "get", head: "head", put: "put", delete: "delete", list: "list" };
let r2Counts: Counts | null = null;

// Counts every R2 operation made through R2BlobStore in this isolate (the Worker's and the objects') into
// `counts` as `r2-all.<operation>`, until the returned function is called.
export function countAllR2(counts: Counts): () => void {
  const proto = R2BlobStore.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const originals = Object.fromEntries(Object.keys(R2_METHODS).map((m) => [m, proto[m]!]));
  r2Counts = counts;
  for (const [method, operation] of Object.entries(R2_METHODS)) {
    const original = originals[method]!;
    proto[method] = function (this: unknown, ...args: unknown[]) {
      if (r2Counts) r2Counts[`r2-all.${operation}`] = (r2Counts[`r2-all.${operation}`] ?? 0) + 1;
      return original.apply(this, args);
    };
  }
  return () => {
    r2Counts = null;
    Object.assign(proto, originals);
  };
}

const NAMESPACES = [
  "DISPATCHER",
  "DISPATCHER_LOBBY",
  "RATE_LIMITER",
  "METRICS",
  "BUILD_HEALTH_STORE",
] as const;

// A copy of `env` whose R2 bucket, Durable Object namespaces and Queue count their calls into `counts`.
export function countingEnv(env: Env): { env: Env; counts: Counts; reset(): void } {
  const counts: Counts = {};
  const wrapped: Record<string, unknown> = { ...env };
  wrapped.BUCKET = counted(env.BUCKET, "r2", counts);
  wrapped.JOBS = counted(env.JOBS, "queue", counts);
  for (const name of NAMESPACES) {
    wrapped[name] = countedNamespace(env[name] as unknown as DurableObjectNamespace, name, counts);
  }
  return {
    env: wrapped as unknown as Env,
    counts,
    reset() {
      for (const key of Object.keys(counts)) delete counts[key];
    },
  };
}

let clients = 0;

// The Worker's fetch handler with `env`, waiting for its background work (metrics) so that is counted too.
export function fetchCounted(env: Env) {
  return async (path: string, init: TargetRequestInit = {}): Promise<Response> => {
    const { clientIp, direct: _direct, ...rest } = init;
    const headers = new Headers(rest.headers);
    clients++;
    headers.set("cf-connecting-ip", clientIp ?? `198.19.${(clients >> 8) & 255}.${clients & 255}`);
    const ctx = createExecutionContext();
    const request = new Request(`http://qmk-edge.test${path}`, { ...rest, headers });
    const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx);
    const body = await response.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return new Response(body, response);
  };
}
