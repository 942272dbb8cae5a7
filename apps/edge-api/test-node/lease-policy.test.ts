import { describe, expect, it } from "vitest";
import { leasePolicy, ORPHAN_GRACE_MS } from "../src/jobs/lease.ts";

// Every timing that follows leases comes from the one lease length (jobs/lease.ts).
describe("leasePolicy", () => {
  it("ends a lease the lease length after it is granted or extended", () => {
    const now = new Date("2026-01-01T00:00:00.000Z");
    expect(leasePolicy(60).expiry(now).toISOString()).toBe("2026-01-01T00:01:00.000Z");
    expect(leasePolicy(2).expiry(now).toISOString()).toBe("2026-01-01T00:00:02.000Z");
  });

  it("reaps four times per lease, at least every 5 s and at most every 250 ms", () => {
    expect(leasePolicy(4).reaperIntervalMs).toBe(1_000);
    expect(leasePolicy(60).reaperIntervalMs).toBe(5_000);
    expect(leasePolicy(1).reaperIntervalMs).toBe(250);
  });

  it("reclaims an entry with no lease after a whole lease and a grace", () => {
    expect(leasePolicy(60).orphanIdleMs).toBe(60_000 + ORPHAN_GRACE_MS);
    expect(leasePolicy(1, { orphanGraceMs: 0 }).orphanIdleMs).toBe(1_000);
  });
});
