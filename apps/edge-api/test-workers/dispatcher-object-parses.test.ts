import { jobRecord, type LeaseResponse } from "@qmk-edge/schema";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Agent, submit } from "../test-support/api-client.ts";
import { target } from "../test-support/target.worker.ts";

// What a lease + complete costs inside the Dispatcher object beyond its binding calls (route-costs.test.ts):
// schema parses of the job record. The object keeps the record it writes as the parse of the row's text
// (sql.ts updateJob), so the lease's and the completion's write-through read the row back without a parse.
// Under the test pool the objects run in the test's isolate, so the schema spied on is the one they use.

const agent = new Agent(target, "parse-agent");

describe("record parses in the Dispatcher object", () => {
  beforeEach(() => agent.drain());
  afterEach(() => vi.restoreAllMocks());

  it("a lease and its completion parse the job's record once, the row's first read", async () => {
    const id = await submit(target);
    const parse = vi.spyOn(jobRecord, "safeParse");
    const lease = (await agent.lease()) as LeaseResponse;
    expect(lease.job.id).toBe(id);
    expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it("a heartbeat between them parses nothing more", async () => {
    await submit(target);
    const parse = vi.spyOn(jobRecord, "safeParse");
    const lease = (await agent.lease()) as LeaseResponse;
    expect((await agent.heartbeat(lease)).status).toBe(200);
    expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
    expect(parse).toHaveBeenCalledTimes(1);
  });
});
