import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import {
  ApiClient,
  ApiError,
  ApiUnavailableError,
  backoffDelay,
  LeaseLostError,
  PayloadTooLargeError,
  ProtocolError,
  UnauthorizedError,
} from "../src/api-client.ts";
import { silentLogger } from "../src/log.ts";

// The agent's HTTP client against a scripted server on loopback.

let server: Server | null = null;
async function stopServer(): Promise<void> {
  const s = server;
  server = null;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
}
afterEach(stopServer);

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

// Answers the nth request with replies[n] (the last one repeats).
async function scripted(
  replies: Array<{ status: number; body?: unknown }>,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      const r = replies[Math.min(seen.length - 1, replies.length - 1)]!;
      if (r.body === undefined) res.writeHead(r.status).end();
      else res.writeHead(r.status, { "content-type": "application/json" }).end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const client = (url: string) =>
  new ApiClient({
    baseUrl: url,
    token: "tok-123",
    log: silentLogger,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
  });

const jobId = "0123456789abcdef0123456789abcdef";
const leaseId = "lease-0123456789abcdef";
const future = new Date(Date.now() + 60_000).toISOString();
const leaseReq = { agent_id: "a1", toolchains: ["avr" as const], firmware_version: "demo-1", wait_ms: 0 };

describe("retries", () => {
  test("5xx answers are retried until one succeeds", async () => {
    const { url, seen } = await scripted([
      { status: 503 },
      { status: 502 },
      { status: 200, body: { lease_expires_at: future } },
    ]);
    const res = await client(url).heartbeat(jobId, { lease_id: leaseId, stage: "compiling" });
    expect(res.lease_expires_at).toBe(future);
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.url === `/v1/agent/jobs/${jobId}/heartbeat`)).toBe(true);
  });

  test("a server that keeps failing gives ApiUnavailableError after the last attempt", async () => {
    const { url, seen } = await scripted([{ status: 500, body: { code: 500, message: "boom" } }]);
    await expect(client(url).complete(jobId, {} as never)).rejects.toThrow(ApiUnavailableError);
    expect(seen).toHaveLength(4);
  });

  test("network errors are retried too", async () => {
    const { url } = await scripted([{ status: 204 }]);
    const port = new URL(url).port;
    await stopServer();
    await expect(client(`http://127.0.0.1:${port}`).lease(leaseReq)).rejects.toThrow(
      /failed 4 times; last: network error/,
    );
  });

  test("backoff grows exponentially up to the cap, scaled by jitter", () => {
    const p = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(p, 3, () => 0)).toBe(0);
    expect(backoffDelay(p, 3, () => 0.5)).toBe(200);
  });
});

describe("answers the caller can act on are typed and not retried", () => {
  test.each([
    [401, UnauthorizedError],
    [409, LeaseLostError],
    [413, PayloadTooLargeError],
    [400, ApiError],
  ])("%i", async (status, E) => {
    const { url, seen } = await scripted([{ status, body: { code: status, message: "no" } }]);
    const err = await client(url)
      .heartbeat(jobId, { lease_id: leaseId, stage: "preparing" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E);
    expect((err as ApiError).status).toBe(status);
    expect(seen).toHaveLength(1);
  });

  test("a body that does not match the protocol is a ProtocolError", async () => {
    const { url } = await scripted([{ status: 200, body: { lease_expires_at: "tomorrow" } }]);
    const err = await client(url)
      .heartbeat(jobId, { lease_id: leaseId, stage: "preparing" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(String(err)).toMatch(/does not understand/);
  });
});

describe("requests", () => {
  test("lease: 204 means no job; the body and bearer token are sent", async () => {
    const { url, seen } = await scripted([{ status: 204 }]);
    expect(await client(url).lease(leaseReq)).toBeNull();
    expect(seen[0]!.headers.authorization).toBe("Bearer tok-123");
    expect(JSON.parse(seen[0]!.body.toString())).toEqual(leaseReq);
  });

  test("artifact upload: raw body with lease, sha256, filename and length headers", async () => {
    const body = Buffer.from(":00000001FF\n");
    const sha256 = createHash("sha256").update(body).digest("hex");
    const { url, seen } = await scripted([
      { status: 200, body: { kind: "firmware", sha256, size: body.length } },
    ]);
    const res = await client(url).uploadArtifact(jobId, "firmware", {
      leaseId,
      filename: "kb_km.hex",
      sha256,
      body,
    });
    expect(res).toEqual({ kind: "firmware", sha256, size: body.length });
    const s = seen[0]!;
    expect(s.method).toBe("PUT");
    expect(s.url).toBe(`/v1/agent/jobs/${jobId}/artifacts/firmware`);
    expect(s.headers["x-lease-id"]).toBe(leaseId);
    expect(s.headers["x-artifact-sha256"]).toBe(sha256);
    expect(s.headers["x-artifact-filename"]).toBe("kb_km.hex");
    expect(s.headers["content-length"]).toBe(String(body.length));
    expect(s.body.equals(body)).toBe(true);
  });

  test("an aborted call stops at once, without retrying", async () => {
    const { url, seen } = await scripted([{ status: 503 }]);
    const ctl = new AbortController();
    ctl.abort(new Error("stop"));
    await expect(client(url).lease(leaseReq, ctl.signal)).rejects.toThrow("stop");
    expect(seen).toHaveLength(0);
  });
});
