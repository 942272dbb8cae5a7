import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import { markFlush } from "../src/adapters/dispatcher/durable-object/job-table.ts";
import type { DispatcherObject } from "../src/adapters/dispatcher/durable-object/object.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { Agent, submit } from "../test-support/api-client.ts";
import { jobShardStub, rowVersions } from "../test-support/dispatcher-rows.worker.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// The alarm's retry of a row left unsaved (its "saved" mark lost with an evicted object: job-table.ts) reads
// R2 first: a record that ended there and was changed since (an operator's purge) is not written over.

const agent = new Agent(target, "retry-agent");
const jobs = new BlobJobStore(new R2BlobStore(workerEnv.BUCKET));
const stub = jobShardStub;

const versions = rowVersions;

describe("the alarm's retry of an unsaved row", () => {
  const flushMs = markFlush.ms;
  beforeEach(async () => {
    await agent.drain();
    markFlush.ms = 600_000;
  });
  afterEach(() => {
    markFlush.ms = flushMs;
  });

  it("leaves a finished record purged in R2 since as it is, and marks the row saved", async () => {
    const id = await submit(target);
    await agent.build(id);
    // The alarm stores the marks that wait; the row is then made unsaved again, as after an eviction that
    // lost its mark, and an alarm is set (run below).
    await runDurableObjectAlarm(stub(id));
    await runInDurableObject(stub(id), async (_: DispatcherObject, state) => {
      state.storage.sql.exec("UPDATE jobs SET saved_version = version - 1 WHERE id = ?", id);
      await state.storage.setAlarm(Date.now() + 3_600_000);
    });
    const finished = await jobs.get(id);
    expect(finished?.status).toBe("finished");
    const purged = { at: new Date().toISOString(), token_id: "purged-token" };
    await jobs.put({ ...finished!, verified: false, purged });

    expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    const after = await jobs.get(id);
    expect(after?.purged).toEqual(purged);
    expect(after?.verified).toBe(false);
    const row = await versions(id);
    expect(row.saved).toBe(row.version);
  });
});
