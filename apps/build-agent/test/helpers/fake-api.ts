import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AgentJob,
  ARTIFACT_HEADERS,
  type ArtifactKind,
  type CompileRequest,
  type CompleteRequest,
  completeRequest,
  type HeartbeatRequest,
  heartbeatRequest,
  leaseRequest,
  type ReleaseRequest,
  releaseRequest,
} from "@qmk-edge/schema";

// A stand-in for the edge API's /v1/agent/* on loopback, for fault injection the real one cannot do on
// demand (503 storms, lost leases at a chosen moment). Bodies are checked against the shared schema.

export interface FakeJob {
  job: AgentJob;
  leaseId: string | null;
  state: "queued" | "leased" | "finished" | "failed" | "released";
  stages: HeartbeatRequest["stage"][];
  artifacts: Partial<Record<ArtifactKind, { sha256: string; filename: string; body: Buffer }>>;
  complete: CompleteRequest | null;
  release: ReleaseRequest | null;
}

type Override = (req: IncomingMessage, path: string) => { status: number; body?: unknown } | undefined;

export class FakeApi {
  readonly token = "fake-agent-token-0123456789";
  readonly jobs = new Map<string, FakeJob>();
  readonly log: string[] = [];
  readonly leaseRequests: unknown[] = [];
  override: Override | null = null;
  // When set, heartbeats of this job answer 409 (its lease is gone).
  loseLeaseOf: string | null = null;
  url = "";
  readonly #queue: string[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #changes = new Set<() => void>();
  #server: Server | null = null;

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err) => send(res, 500, { code: 500, message: String(err) }));
    });
    await new Promise<void>((r) => this.#server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const w of this.#waiters) w();
    this.#server?.closeAllConnections();
    await new Promise((r) => this.#server?.close(r));
  }

  enqueue(request: CompileRequest, firmwareVersion: string): string {
    const id = randomBytes(16).toString("hex");
    const job: AgentJob = {
      id,
      request,
      content_key: "a".repeat(64),
      firmware_version: firmwareVersion,
      attempts: 0,
    };
    this.jobs.set(id, {
      job,
      leaseId: null,
      state: "queued",
      stages: [],
      artifacts: {},
      complete: null,
      release: null,
    });
    this.#queue.push(id);
    for (const w of this.#waiters) w();
    return id;
  }

  // Resolves once `check` holds, re-checked after every request the fake answers.
  until(check: () => boolean, what = "condition"): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#changes.delete(onChange);
        reject(new Error(`timed out waiting for ${what}; requests: ${this.log.slice(-10).join(", ")}`));
      }, 60_000);
      const onChange = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.#changes.delete(onChange);
        resolve();
      };
      this.#changes.add(onChange);
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    this.log.push(`${req.method} ${path}`);
    try {
      await this.#route(req, res, path);
    } finally {
      for (const c of [...this.#changes]) c();
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const body = await readBody(req);
    const forced = this.override?.(req, path);
    if (forced) return send(res, forced.status, forced.body ?? { code: forced.status, message: "forced" });
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return send(res, 401, { code: 401, message: "bad token" });

    if (req.method === "POST" && path === "/v1/agent/lease") {
      const lr = leaseRequest.safeParse(json(body));
      if (!lr.success) return send(res, 400, { code: 400, message: lr.error.message });
      this.leaseRequests.push(lr.data);
      const id = await this.#nextJob(lr.data.wait_ms ?? 0, res);
      if (!id) return send(res, 204);
      const j = this.jobs.get(id)!;
      j.state = "leased";
      j.leaseId = randomBytes(16).toString("hex");
      return send(res, 200, {
        job: j.job,
        lease_id: j.leaseId,
        lease_expires_at: new Date(Date.now() + 30_000).toISOString(),
      });
    }
    const m = /^\/v1\/agent\/jobs\/([0-9a-f]{32})\/(heartbeat|complete|release|artifacts\/([a-z]+))$/.exec(
      path,
    );
    const j = m ? this.jobs.get(m[1]!) : undefined;
    if (!m || !j) return send(res, 404, { code: 404, message: "no such job" });
    const leaseOk = (leaseId: string | undefined) => j.state === "leased" && leaseId === j.leaseId;

    if (m[2] === "heartbeat") {
      const hb = heartbeatRequest.safeParse(json(body));
      if (!hb.success) return send(res, 400, { code: 400, message: hb.error.message });
      if (this.loseLeaseOf === j.job.id || !leaseOk(hb.data.lease_id))
        return send(res, 409, { code: 409, message: "lease lost" });
      j.stages.push(hb.data.stage);
      return send(res, 200, { lease_expires_at: new Date(Date.now() + 30_000).toISOString() });
    }
    if (m[3] !== undefined) {
      const kind = m[3] as ArtifactKind;
      if (!leaseOk(req.headers[ARTIFACT_HEADERS.leaseId] as string))
        return send(res, 409, { code: 409, message: "lease lost" });
      const sha256 = createHash("sha256").update(body).digest("hex");
      if (sha256 !== req.headers[ARTIFACT_HEADERS.sha256])
        return send(res, 400, { code: 400, message: "sha256 mismatch" });
      if (Number(req.headers["content-length"]) !== body.length)
        return send(res, 400, { code: 400, message: "length" });
      j.artifacts[kind] = { sha256, filename: String(req.headers[ARTIFACT_HEADERS.filename]), body };
      return send(res, 200, { kind, sha256, size: body.length });
    }
    if (m[2] === "complete") {
      const c = completeRequest.safeParse(json(body));
      if (!c.success) return send(res, 400, { code: 400, message: c.error.message });
      if (!leaseOk(c.data.lease_id)) return send(res, 409, { code: 409, message: "lease lost" });
      if (c.data.status === "finished" && !j.artifacts.firmware)
        return send(res, 400, { code: 400, message: "no firmware" });
      j.complete = c.data;
      j.state = c.data.status;
      return send(res, 200, { id: j.job.id, status: c.data.status });
    }
    const r = releaseRequest.safeParse(json(body));
    if (!r.success) return send(res, 400, { code: 400, message: r.error.message });
    if (!leaseOk(r.data.lease_id)) return send(res, 409, { code: 409, message: "lease lost" });
    j.release = r.data;
    j.state = "released";
    return send(res, 200, {});
  }

  // Long-poll: wait for a job until the deadline or until the agent hangs up.
  async #nextJob(waitMs: number, res: ServerResponse): Promise<string | undefined> {
    const deadline = Date.now() + waitMs;
    while (this.#queue.length === 0 && Date.now() < deadline && !res.destroyed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.#waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.#waiters.add(done);
        res.once("close", done);
      });
    }
    return res.destroyed ? undefined : this.#queue.shift();
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const json = (b: Buffer): unknown => {
  try {
    return JSON.parse(b.toString("utf8"));
  } catch {
    return undefined;
  }
};

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
