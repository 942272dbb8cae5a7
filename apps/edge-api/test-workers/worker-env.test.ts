import { describe, expect, it } from "vitest";
import { configFromEnv } from "../src/workers/env.ts";
import { workerEnv } from "../test-support/target.worker.ts";

// The Worker reads the same environment schema as Node (env-schema.ts), with the same bounds.
describe("configFromEnv", () => {
  it("reads wrangler.jsonc's vars and the test bindings", () => {
    expect(configFromEnv(workerEnv)).toMatchObject({
      firmwareVersion: "demo-1",
      maxAttempts: 3,
      leaseSeconds: 60,
      // AGENT_WINDOW_SECONDS is empty: one lease.
      agentWindowSeconds: 60,
      noAgentWaitSeconds: 180,
      refusalJobOrigins: "*",
      rateLimitPerMinute: 5,
    });
  });

  it("derives the agent window from the lease (at least 30 s) and reads the refusal origins", () => {
    expect(configFromEnv({ ...workerEnv, LEASE_SECONDS: "5" }).agentWindowSeconds).toBe(30);
    expect(configFromEnv({ ...workerEnv, AGENT_WINDOW_SECONDS: "90" }).agentWindowSeconds).toBe(90);
    const origins = "https://config.example.org, http://localhost:8080";
    expect(configFromEnv({ ...workerEnv, REFUSAL_JOB_ORIGINS: origins }).refusalJobOrigins).toEqual([
      "https://config.example.org",
      "http://localhost:8080",
    ]);
    expect(() => configFromEnv({ ...workerEnv, REFUSAL_JOB_ORIGINS: "config.example.org/" })).toThrow(
      /REFUSAL_JOB_ORIGINS: entry 1: an origin/,
    );
  });

  it("refuses a FIRMWARE_VERSION the job record schema could not store, naming the variable", () => {
    expect(() => configFromEnv({ ...workerEnv, FIRMWARE_VERSION: "demo 1" })).toThrow(
      /invalid Worker configuration: FIRMWARE_VERSION: 1 to 128 characters/,
    );
  });

  it("refuses the bounds Node refuses (a lease under 5 s, a base URL that is not http or https)", () => {
    expect(() => configFromEnv({ ...workerEnv, LEASE_SECONDS: "1" })).toThrow(/LEASE_SECONDS: /);
    expect(() => configFromEnv({ ...workerEnv, PUBLIC_BASE_URL: "ftp://example.org" })).toThrow(
      /PUBLIC_BASE_URL: /,
    );
  });
});
