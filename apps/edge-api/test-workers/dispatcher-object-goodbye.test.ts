import type { JobRecord, LeaseHolder, LeaseRequest, LeaseResponse } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import { GOODBYE_MARGIN_MS } from "../src/adapters/dispatcher/durable-object/goodbyes.ts";
import type { Outcome } from "../src/adapters/dispatcher/durable-object/outcome.ts";
import { shardStub } from "../src/adapters/dispatcher/durable-object/shards.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { sha256Hex } from "../src/bytes/sha256-hex.ts";
import { contentKey } from "../src/jobs/content-key.ts";
import { newId } from "../src/jobs/job-id.ts";
import { newJobRecord } from "../src/jobs/lifecycle.ts";
import { compileBody } from "../test-support/api-client.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// With one Dispatcher object, a lease poll whose call reached the object after the agent's disconnect did
// (the disconnect overtook it on its way: goodbyes.ts) does not wait: the Worker sends when the poll began.
// A firmware version of its own, so no other test's jobs or agents meet these.

// Longer than a test may take: a wait that is not ended fails the test by its timeout.
const FOREVER_MS = 600_000;
const version = `goodbye-one-${newId()}`;
const holder: LeaseHolder = { token_id: "goodbye-one-token", trust: "trusted" };
const poll = (agentId: string): LeaseRequest => ({
  agent_id: agentId,
  toolchains: ["avr", "arm"],
  firmware_version: version,
  wait_ms: FOREVER_MS,
});

describe("a disconnect with one Dispatcher object", () => {
  it("ends a poll begun before it that reaches the object after it, not one begun later", async () => {
    const shard = shardStub(workerEnv.DISPATCHER, 0);
    const agentId = `goodbye-one-agent-${newId()}`;
    const began = Date.now();
    expect(await shard.disconnect(agentId, holder)).toEqual({ ok: true, value: 0 });
    expect(await shard.lease(poll(agentId), holder, began)).toEqual({ ok: true, value: null });

    // The same agent polling well after its goodbye (a restarted agent) waits, and gets the next job.
    const later = shard.lease(poll(agentId), holder, Date.now() + GOODBYE_MARGIN_MS + 1);
    const request = compileBody() as JobRecord["request"];
    const record = newJobRecord({
      id: newId(),
      request,
      contentKey: await contentKey(request, version, sha256Hex),
      firmwareVersion: version,
      maxAttempts: target.maxAttempts,
      now: new Date().toISOString(),
    });
    await new BlobJobStore(new R2BlobStore(workerEnv.BUCKET)).put(record);
    expect(await shard.enqueue(record)).toEqual({ ok: true, value: "queued" });
    const leased = (await later) as Outcome<LeaseResponse | null>;
    expect(leased.ok && leased.value?.job.id).toBe(record.id);
  });
});
