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
      agentWindowSeconds: 120,
      rateLimitPerMinute: 5,
    });
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
