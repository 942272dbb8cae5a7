// A closed-loop HTTP load generator over keep-alive sockets (node:http, lighter than fetch), for benchmarks
// that measure the server's CPU per request: `clients` requests in flight for `seconds`.
import { Agent, request } from "node:http";

export interface LoadRequest {
  method: "GET" | "POST" | "PUT";
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  statuses: Record<string, number>;
}

export function httpCall(
  agent: Agent,
  base: URL,
  req: LoadRequest,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const r = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers: {
          ...(body ? { "content-type": "application/json", "content-length": body.byteLength } : {}),
          ...req.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.end(body);
  });
}

export async function closedLoop(
  url: string,
  next: (i: number) => LoadRequest,
  // `requests`: stop once that many were sent, whatever the time (a warm-up by count, not by time).
  opts: { clients: number; seconds: number; expect?: number; requests?: number },
): Promise<LoadResult> {
  const base = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.clients });
  const statuses: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  let i = 0;
  const start = performance.now();
  const until = start + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      while (performance.now() < until && (opts.requests === undefined || i < opts.requests)) {
        const res = await httpCall(agent, base, next(i++)).catch(() => ({ status: 0, body: "" }));
        requests++;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status !== (opts.expect ?? 200)) errors++;
      }
    }),
  );
  agent.destroy();
  return { requests, errors, seconds: (performance.now() - start) / 1000, statuses };
}
