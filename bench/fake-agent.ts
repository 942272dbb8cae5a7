// Fake build agents for the dispatcher benchmarks: they speak the agent protocol over HTTP (keep-alive) and
// build nothing. `completeFailed` ends a job at once (a build failure needs no uploads), as the issue's
// measurement did; `buildFinished` uploads firmware, source and log first, so the job enters the build cache.
import { createHash } from "node:crypto";
import { Agent } from "node:http";
import { httpCall } from "./node/load.ts";

export interface LeasedJob {
  jobId: string;
  leaseId: string;
}

export class FakeAgent {
  readonly id: string;
  readonly #base: URL;
  readonly #auth: Record<string, string>;
  readonly #http = new Agent({ keepAlive: true, maxSockets: 4 });
  readonly #firmwareVersion: string;

  // `headers`: sent on every call (a target's client headers, e.g. CF-Connecting-IP on workerd's direct socket).
  constructor(
    url: string,
    args: { id: string; token: string; firmwareVersion: string; headers?: Record<string, string> },
  ) {
    this.id = args.id;
    this.#base = new URL(url);
    this.#auth = { ...args.headers, authorization: `Bearer ${args.token}` };
    this.#firmwareVersion = args.firmwareVersion;
  }

  async lease(waitMs: number): Promise<LeasedJob | null> {
    const body = JSON.stringify({
      agent_id: this.id,
      toolchains: ["avr", "arm"],
      firmware_version: this.#firmwareVersion,
      wait_ms: waitMs,
    });
    const res = await this.#call("POST", "/v1/agent/lease", body);
    if (res.status === 204) return null;
    if (res.status !== 200) throw new Error(`lease answered ${res.status}: ${res.body}`);
    const leased = JSON.parse(res.body) as { job: { id: string }; lease_id: string };
    return { jobId: leased.job.id, leaseId: leased.lease_id };
  }

  async completeFailed(job: LeasedJob): Promise<void> {
    await this.#complete(job, "failed", null);
  }

  async buildFinished(job: LeasedJob): Promise<void> {
    const files = [
      ["firmware", "bench.hex", ":00000001FF\n"],
      ["source", "bench_source.zip", "PK-bench-source"],
      ["log", "bench.log", "bench build log\n"],
    ] as const;
    for (const [kind, filename, content] of files) {
      const bytes = Buffer.from(content);
      const res = await httpCall(this.#http, this.#base, {
        method: "PUT",
        path: `/v1/agent/jobs/${job.jobId}/artifacts/${kind}`,
        body: content,
        headers: {
          ...this.#auth,
          "content-type": "application/octet-stream",
          "x-lease-id": job.leaseId,
          "x-artifact-sha256": createHash("sha256").update(bytes).digest("hex"),
          "x-artifact-filename": filename,
        },
      });
      if (res.status !== 200) throw new Error(`upload ${kind} answered ${res.status}: ${res.body}`);
    }
    await this.#complete(job, "finished", "bench.hex");
  }

  async disconnect(): Promise<void> {
    await this.#call("POST", "/v1/agent/disconnect", JSON.stringify({ agent_id: this.id })).catch(() => {});
  }

  close(): void {
    this.#http.destroy();
  }

  async #complete(job: LeasedJob, status: "finished" | "failed", firmware: string | null): Promise<void> {
    const body = JSON.stringify({
      lease_id: job.leaseId,
      status,
      returncode: status === "finished" ? 0 : 2,
      output: status === "finished" ? "built" : "bench: failed at once",
      command: "make bench",
      firmware_filename: firmware,
      toolchain: "avr",
      timings: {},
    });
    const res = await this.#call("POST", `/v1/agent/jobs/${job.jobId}/complete`, body);
    if (res.status !== 200) throw new Error(`complete answered ${res.status}: ${res.body}`);
  }

  #call(method: "GET" | "POST" | "PUT", path: string, body?: string) {
    return httpCall(this.#http, this.#base, { method, path, body, headers: this.#auth });
  }
}
