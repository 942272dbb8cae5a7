import { createHash } from "node:crypto";
import type { LeaseResponse } from "@qmk-edge/schema";
import { submit } from "@qmk-edge/test/support/compile-client.ts";
import type { FaultProxy } from "@qmk-edge/test/support/fault-proxy.ts";
import { defaultKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { type ProxiedApi, startProxiedApi } from "@qmk-edge/test/support/proxied-api.ts";
import { type EdgeApi, LOCAL_AGENT_TOKEN } from "@qmk-edge/test/support/system.ts";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { ApiClient, backoffDelay } from "../src/api/client.ts";
import {
  ApiError,
  ApiUnavailableError,
  LeaseLostError,
  PayloadTooLargeError,
  ProtocolError,
  UnauthorizedError,
} from "../src/api/errors.ts";
import { silentLogger } from "../src/log.ts";
import { drainQueue } from "../test-support/queue-drain.ts";

// The agent's HTTP client against the real edge API in workerd, through a fault-injecting proxy for the
// answers the API gives only when something is broken (5xx, dropped connections, unreadable bodies).

let api: EdgeApi;
let proxy: FaultProxy;
let system: ProxiedApi;

beforeAll(async () => {
  system = await startProxiedApi("agent-client");
  ({ api, proxy } = system);
});
afterAll(async () => system?.stop());
afterEach(async () => {
  proxy.clearFaults();
  proxy.log.splice(0);
  await drainQueue(api.url);
});

const client = (token = LOCAL_AGENT_TOKEN) =>
  new ApiClient({
    baseUrl: proxy.url,
    token,
    log: silentLogger,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
  });

// A version no job has: lease answers 204 at once.
const idleLease = {
  agent_id: "client-test",
  toolchains: ["avr" as const],
  firmware_version: "no-such-version",
  wait_ms: 0,
};

let submitted = 0;
// A real job, submitted and leased through the client, so the API answers its routes for real.
async function leasedJob(): Promise<LeaseResponse> {
  const request = { ...(await defaultKeymap("handwired/edge_pad")), keymap: `client_${++submitted}` };
  const id = await submit(api.url, request);
  const lease = await client().lease({ ...idleLease, firmware_version: "demo-1", wait_ms: 5000 });
  if (lease?.job.id !== id) throw new Error(`expected to lease ${id}, got ${JSON.stringify(lease)}`);
  return lease;
}

const heartbeatPath = (id: string) => `/v1/agent/jobs/${id}/heartbeat`;

describe("retries", () => {
  test("5xx answers are retried until one succeeds", async () => {
    const lease = await leasedJob();
    const path = heartbeatPath(lease.job.id);
    proxy.fail({ path }, { status: 503, times: 1 });
    proxy.fail({ path }, { status: 502, times: 1 });
    const res = await client().heartbeat(lease.job.id, { lease_id: lease.lease_id, stage: "compiling" });
    expect(Date.parse(res.lease_expires_at)).toBeGreaterThan(Date.now());
    expect(proxy.exchanges({ path }).map((ex) => ex.status)).toEqual([503, 502, 200]);
  });

  test("a server that keeps failing gives ApiUnavailableError after the last attempt", async () => {
    const lease = await leasedJob();
    const path = `/v1/agent/jobs/${lease.job.id}/complete`;
    const outage = proxy.fail({ path }, { status: 500 });
    const complete = {
      lease_id: lease.lease_id,
      status: "failed" as const,
      returncode: 2,
      output: "",
      command: "make",
      firmware_filename: null,
      toolchain: null,
      timings: {},
    };
    await expect(client().complete(lease.job.id, complete)).rejects.toThrow(ApiUnavailableError);
    expect(outage.hits).toBe(4);
  });

  test("network errors are retried too", async () => {
    const drop = proxy.reset({ path: "/v1/agent/lease" });
    await expect(client().lease(idleLease)).rejects.toThrow(/failed 4 times; last: network error/);
    expect(drop.hits).toBe(4);
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
  test("401: a token the API does not know", async () => {
    const err = await client("not-the-agent-token-0123456789")
      .lease(idleLease)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as ApiError).status).toBe(401);
    expect(proxy.exchanges()).toHaveLength(1);
  });

  test("409: a heartbeat with a lease that does not hold the job", async () => {
    const lease = await leasedJob();
    const err = await client()
      .heartbeat(lease.job.id, { lease_id: "not-this-jobs-lease-0123456789", stage: "preparing" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseLostError);
    expect((err as ApiError).status).toBe(409);
    expect(proxy.exchanges({ path: heartbeatPath(lease.job.id) })).toHaveLength(1);
  });

  test("413: an artifact over the API's limit for its kind", async () => {
    const lease = await leasedJob();
    const body = Buffer.alloc(600 * 1024, "x"); // keymap artifacts may be 512 KiB
    const err = await client()
      .uploadArtifact(lease.job.id, "keymap", {
        leaseId: lease.lease_id,
        filename: "big.json",
        sha256: createHash("sha256").update(body).digest("hex"),
        body,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as ApiError).status).toBe(413);
    expect(proxy.exchanges({ method: "PUT" })).toHaveLength(1);
  });

  test.each([
    [400, "a malformed job id", "not-a-job-id", "preparing"],
    [422, "a stage the protocol does not have", "", "linking"],
  ])("%i: %s", async (status, _what, badId, stage) => {
    const lease = await leasedJob();
    const err = await client()
      .heartbeat(badId || lease.job.id, { lease_id: lease.lease_id, stage: stage as "preparing" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(status);
    expect(proxy.exchanges({ path: /\/heartbeat$/ })).toHaveLength(1);
  });

  test("a body that does not match the protocol is a ProtocolError", async () => {
    const lease = await leasedJob();
    const path = heartbeatPath(lease.job.id);
    proxy.replace({ path }, { times: 1, answer: { body: { lease_expires_at: "tomorrow" } } });
    const err = await client()
      .heartbeat(lease.job.id, { lease_id: lease.lease_id, stage: "preparing" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(String(err)).toMatch(/does not understand/);
    // The API did get the heartbeat; only its answer was replaced.
    expect(proxy.exchanges({ path }).map((ex) => [ex.status, ex.fault])).toEqual([[200, "replace"]]);
  });
});

describe("requests", () => {
  test("lease: 204 means no job; the body and bearer token are sent", async () => {
    expect(await client().lease(idleLease)).toBeNull();
    const [ex] = proxy.exchanges({ path: "/v1/agent/lease" });
    expect(ex!.status).toBe(204);
    expect(ex!.requestHeaders.authorization).toBe(`Bearer ${LOCAL_AGENT_TOKEN}`);
    expect(JSON.parse(ex!.requestBody.toString())).toEqual(idleLease);
  });

  test("artifact upload: raw body with lease, sha256, filename and length headers", async () => {
    const lease = await leasedJob();
    const body = Buffer.from(":00000001FF\n");
    const sha256 = createHash("sha256").update(body).digest("hex");
    const res = await client().uploadArtifact(lease.job.id, "firmware", {
      leaseId: lease.lease_id,
      filename: "kb_km.hex",
      sha256,
      body,
    });
    expect(res).toEqual({ kind: "firmware", sha256, size: body.length });
    const [ex] = proxy.exchanges({ method: "PUT" });
    expect(ex!.path).toBe(`/v1/agent/jobs/${lease.job.id}/artifacts/firmware`);
    expect(ex!.requestHeaders["x-lease-id"]).toBe(lease.lease_id);
    expect(ex!.requestHeaders["x-artifact-sha256"]).toBe(sha256);
    expect(ex!.requestHeaders["x-artifact-filename"]).toBe("kb_km.hex");
    expect(ex!.requestHeaders["content-length"]).toBe(String(body.length));
    expect(ex!.requestBody.equals(body)).toBe(true);
  });

  test("an aborted call stops at once, without retrying", async () => {
    const ctl = new AbortController();
    ctl.abort(new Error("stop"));
    await expect(client().lease(idleLease, ctl.signal)).rejects.toThrow("stop");
    expect(proxy.exchanges()).toHaveLength(0);
  });
});
