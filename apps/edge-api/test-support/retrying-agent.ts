// A build agent reduced to its HTTP calls, for fault tests: it retries every call on a network error, 503 or
// 429 as the real agent does, and "builds" by uploading random firmware. No toolchain involved.
import { createHash, randomBytes } from "node:crypto";
import { ARTIFACT_HEADERS, type LeaseResponse } from "@qmk-edge/schema";
import { httpFetch } from "./http-fetch.ts";

export interface AgentOptions {
  baseUrl: string;
  token: string;
  id: string;
  firmwareVersion: string;
  // Called with each retried failure, so a test can show what it rode out.
  onRetry?: (what: string, reason: string) => void;
}

const RETRYABLE = new Set([429, 502, 503]);

export class RetryingAgent {
  readonly options: AgentOptions;
  retries = 0;

  constructor(options: AgentOptions) {
    this.options = options;
  }

  // Runs `call` until it answers with something other than a network error or a retryable status.
  async retry(what: string, call: () => Promise<Response>, deadlineMs = 60_000): Promise<Response> {
    const deadline = Date.now() + deadlineMs;
    let wait = 100;
    for (;;) {
      let reason: string;
      try {
        const res = await call();
        if (!RETRYABLE.has(res.status)) return res;
        reason = `HTTP ${res.status}`;
        await res.body?.cancel();
      } catch (err) {
        reason =
          err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      }
      if (Date.now() > deadline) throw new Error(`${what}: still failing after ${deadlineMs} ms (${reason})`);
      this.retries++;
      this.options.onRetry?.(what, reason);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 1_000);
    }
  }

  private post(path: string, body: unknown): Promise<Response> {
    return httpFetch(`${this.options.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.options.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  async lease(waitMs: number): Promise<LeaseResponse | null> {
    const res = await this.retry("lease", () =>
      this.post("/v1/agent/lease", {
        agent_id: this.options.id,
        toolchains: ["avr", "arm"],
        firmware_version: this.options.firmwareVersion,
        wait_ms: waitMs,
      }),
    );
    if (res.status === 204) return null;
    if (res.status !== 200) throw new Error(`lease: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as LeaseResponse;
  }

  // Uploads `bytes` as the job's artifact; `body` may stream them (slowly, or breaking off) on the first try.
  async upload(
    lease: LeaseResponse,
    kind: "firmware" | "source" | "log",
    bytes: Uint8Array,
    firstBody?: ReadableStream<Uint8Array>,
  ): Promise<Response> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    let first = firstBody;
    return await this.retry(`upload ${kind}`, () => {
      const body = first ?? bytes;
      first = undefined;
      return httpFetch(`${this.options.baseUrl}/v1/agent/jobs/${lease.job.id}/artifacts/${kind}`, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${this.options.token}`,
          "content-type": "application/octet-stream",
          "content-length": String(bytes.byteLength),
          [ARTIFACT_HEADERS.leaseId]: lease.lease_id,
          [ARTIFACT_HEADERS.sha256]: sha256,
          [ARTIFACT_HEADERS.filename]: { firmware: "firmware.hex", source: "source.zip", log: "build.log" }[
            kind
          ],
        },
        body,
      });
    });
  }

  // One job, start to end. Returns false when the lease was lost on the way (the job goes to someone else).
  async build(lease: LeaseResponse, firmware: Uint8Array = randomBytes(2048)): Promise<boolean> {
    const id = lease.job.id;
    const beat = await this.retry("heartbeat", () =>
      this.post(`/v1/agent/jobs/${id}/heartbeat`, { lease_id: lease.lease_id, stage: "compiling" }),
    );
    if (beat.status === 409) return false;
    const fw = await this.upload(lease, "firmware", firmware);
    if (fw.status === 409) return false;
    if (fw.status !== 200) throw new Error(`upload: HTTP ${fw.status} ${await fw.text()}`);
    for (const kind of ["source", "log"] as const) {
      const res = await this.upload(lease, kind, new TextEncoder().encode(`${kind} of ${id}\n`));
      if (res.status === 409) return false;
    }
    const done = await this.retry("complete", () =>
      this.post(`/v1/agent/jobs/${id}/complete`, {
        lease_id: lease.lease_id,
        status: "finished",
        returncode: 0,
        output: "ok",
        command: `make ${lease.job.request.keyboard}:${lease.job.request.keymap}`,
        firmware_filename: "firmware.hex",
        toolchain: "avr",
        timings: {},
      }),
    );
    if (done.status === 409) return false;
    if (done.status !== 200) throw new Error(`complete: HTTP ${done.status} ${await done.text()}`);
    return true;
  }
}
