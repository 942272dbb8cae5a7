import type {
  ArtifactKind,
  CompileEnqueued,
  CompileStatus,
  CompleteRequest,
  ErrorBody,
  JobStage,
  LeaseResponse,
} from "@qmk-edge/schema";
import { ARTIFACT_HEADERS } from "@qmk-edge/schema";
import { expect } from "vitest";
import type { TestTokenName } from "./agent-tokens.ts";
import type { Target } from "./target.ts";

// Runtime-neutral steps of the public API and the agent protocol, for the shared route tests.

let requests = 0;

// A valid Configurator body; each call gets its own keymap name so no two tests share a build-cache entry.
export function compileBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  requests++;
  return {
    version: 1,
    keyboard: "handwired/qmk_edge_demo",
    keymap: `test_${Date.now().toString(36)}_${requests}`,
    layout: "LAYOUT_ortho_2x2",
    layers: [
      ["KC_A", "KC_B", "LT(1, KC_SPC)", "MO(1)"],
      ["KC_TRNS", "_______", "QK_BOOT", "LCTL_T(KC_ESC)"],
    ],
    author: "test",
    ...overrides,
  };
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

export async function expectError(response: Response, status: number): Promise<ErrorBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as ErrorBody;
  expect(body.code).toBe(status);
  expect(typeof body.message).toBe("string");
  return body;
}

export async function submit(
  target: Target,
  body: unknown = compileBody(),
  clientIp?: string,
): Promise<string> {
  const res = await target.fetch("/v1/compile", { ...json(body), ...(clientIp ? { clientIp } : {}) });
  expect(res.status).toBe(200);
  const answer = (await res.json()) as CompileEnqueued;
  expect(answer.enqueued).toBe(true);
  return answer.job_id;
}

export async function status(target: Target, id: string): Promise<CompileStatus> {
  const res = await target.fetch(`/v1/compile/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as CompileStatus;
}

export class Agent {
  readonly target: Target;
  readonly id: string;
  readonly toolchains: string[];
  // The agent token it authenticates with (the trusted local token unless told).
  readonly token: string;

  constructor(target: Target, id = "test-agent", toolchains = ["avr", "arm"], token = target.agentToken) {
    this.target = target;
    this.id = id;
    this.toolchains = toolchains;
    this.token = token;
  }

  // An agent on another of the configured tokens (test-support/agent-tokens.ts).
  static withToken(target: Target, token: TestTokenName, id = `${token}-agent`): Agent {
    return new Agent(target, id, ["avr", "arm"], target.tokens[token].token);
  }

  auth(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.target.fetch(path, json(body, this.auth(headers)));
  }

  leaseResponse(waitMs = 0, firmwareVersion = this.target.firmwareVersion): Promise<Response> {
    return this.post("/v1/agent/lease", {
      agent_id: this.id,
      toolchains: this.toolchains,
      firmware_version: firmwareVersion,
      wait_ms: waitMs,
    });
  }

  async lease(waitMs = 0): Promise<LeaseResponse | null> {
    const res = await this.leaseResponse(waitMs);
    if (res.status === 204) return null;
    expect(res.status).toBe(200);
    return (await res.json()) as LeaseResponse;
  }

  // Leases until it gets `jobId`; jobs leased on the way are failed so they do not come back.
  async leaseJob(jobId: string): Promise<LeaseResponse> {
    for (let i = 0; i < 100; i++) {
      const lease = await this.lease();
      if (!lease) throw new Error(`job ${jobId} was not leasable`);
      if (lease.job.id === jobId) return lease;
      await this.complete(lease, { status: "failed", returncode: 1 });
    }
    throw new Error(`job ${jobId} not leased after 100 leases`);
  }

  // Leases and fails every queued job: a clean queue for the next test in this file.
  async drain(): Promise<void> {
    for (let lease = await this.lease(); lease; lease = await this.lease()) {
      await this.complete(lease, { status: "failed", returncode: 1 });
    }
  }

  heartbeat(lease: LeaseResponse, stage: JobStage = "compiling"): Promise<Response> {
    return this.post(`/v1/agent/jobs/${lease.job.id}/heartbeat`, { lease_id: lease.lease_id, stage });
  }

  upload(
    lease: LeaseResponse,
    kind: ArtifactKind,
    bytes: Uint8Array,
    options: { sha256?: string; filename?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    return sha256Hex(bytes).then((digest) =>
      this.target.fetch(`/v1/agent/jobs/${lease.job.id}/artifacts/${kind}`, {
        method: "PUT",
        headers: this.auth({
          "content-type": "application/octet-stream",
          "content-length": String(bytes.byteLength),
          [ARTIFACT_HEADERS.leaseId]: lease.lease_id,
          [ARTIFACT_HEADERS.sha256]: options.sha256 ?? digest,
          [ARTIFACT_HEADERS.filename]: options.filename ?? `${kind}.bin`,
          ...options.headers,
        }),
        body: bytes,
      }),
    );
  }

  complete(lease: LeaseResponse, overrides: Partial<CompleteRequest> = {}): Promise<Response> {
    const request: CompleteRequest = {
      lease_id: lease.lease_id,
      status: "finished",
      returncode: 0,
      output: "make: built\n",
      command: `make ${lease.job.request.keyboard}:${lease.job.request.keymap}`,
      firmware_filename: "firmware.hex",
      toolchain: "avr",
      timings: { compile_ms: 1200 },
      ...overrides,
    };
    return this.post(`/v1/agent/jobs/${lease.job.id}/complete`, request);
  }

  // Uploads what completing as finished needs besides the firmware: a source zip and the log.
  async uploadSourceAndLog(lease: LeaseResponse): Promise<void> {
    const source = new TextEncoder().encode(`PK source of ${lease.job.id}`);
    expect((await this.upload(lease, "source", source, { filename: "source.zip" })).status).toBe(200);
    const log = new TextEncoder().encode("make: ok\n");
    expect((await this.upload(lease, "log", log, { filename: "build.log" })).status).toBe(200);
  }

  // lease -> heartbeat -> upload firmware, source + log -> complete as finished; returns the firmware bytes.
  async build(
    jobId: string,
    firmware = randomBytes(512),
  ): Promise<{ lease: LeaseResponse; firmware: Uint8Array }> {
    const lease = await this.leaseJob(jobId);
    expect((await this.heartbeat(lease, "compiling")).status).toBe(200);
    expect((await this.upload(lease, "firmware", firmware, { filename: "firmware.hex" })).status).toBe(200);
    // As the real agent does: the keymap.json of the request, so every link of the status answer answers.
    const keymap = new TextEncoder().encode(JSON.stringify(lease.job.request));
    expect((await this.upload(lease, "keymap", keymap, { filename: "keymap.json" })).status).toBe(200);
    await this.uploadSourceAndLog(lease);
    expect((await this.complete(lease)).status).toBe(200);
    return { lease, firmware };
  }
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
