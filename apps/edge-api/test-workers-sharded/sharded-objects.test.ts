import type { JobRecord } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import { leaseWriteDelay } from "../src/adapters/dispatcher/durable-object/job-table.ts";
import {
  homeShardOf,
  lobbyStub,
  shardOfJob,
  shardStub,
} from "../src/adapters/dispatcher/durable-object/shards.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { sha256Hex } from "../src/bytes/sha256-hex.ts";
import { contentKey } from "../src/jobs/content-key.ts";
import { newId } from "../src/jobs/job-id.ts";
import { newJobRecord } from "../src/jobs/lifecycle.ts";
import { Agent, compileBody, status, submit } from "../test-support/api-client.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// The Dispatcher objects themselves with DISPATCHER_SHARDS = 4 (vitest.workers-sharded.config.ts): what only
// sharded objects do (docs/architecture.md, "The sharded dispatcher").

const SHARDS = Number(workerEnv.DISPATCHER_SHARDS);
const jobs = new BlobJobStore(new R2BlobStore(workerEnv.BUCKET));
const agent = new Agent(target, "sharded-agent");

// A queued job placed in a shard other than `notIn`, its record in R2 and its row in that shard, as the
// Queue consumer leaves it.
async function queuedElsewhere(
  notIn: number,
  request = compileBody(),
  firmwareVersion = target.firmwareVersion,
) {
  let id = newId();
  while (shardOfJob(id, SHARDS) === notIn) id = newId();
  const record = newJobRecord({
    id,
    request: request as JobRecord["request"],
    contentKey: await contentKey(request as JobRecord["request"], firmwareVersion, sha256Hex),
    firmwareVersion,
    maxAttempts: target.maxAttempts,
    now: new Date().toISOString(),
  });
  await jobs.put(record);
  const shard = shardOfJob(id, SHARDS);
  expect(await shardStub(workerEnv.DISPATCHER, shard).enqueue(record)).toEqual({ ok: true, value: "queued" });
  return { id, shard };
}

describe("sharded Dispatcher objects", () => {
  beforeEach(() => agent.drain());

  it("runs with four shards", () => {
    expect(SHARDS).toBe(4);
  });

  it("a shard that queues a job with none of its lane ahead rings the Lobby, which sends a waiting agent back", async () => {
    // A version of its own, so no other test's ring is remembered for it.
    const version = `lobby-${newId()}`;
    const lobby = lobbyStub(workerEnv.DISPATCHER_LOBBY);
    const woke = lobby.waitForWork({
      firmwareVersion: version,
      toolchains: ["avr", "arm"],
      agentId: "lobby-waiter",
      tokenId: "lobby-token",
      startedMs: Date.now(),
      sinceMs: Date.now(),
      // Longer than the test may take: only the shard's ring ends this wait in time.
      waitMs: 600_000,
    });
    await queuedElsewhere(-1, compileBody(), version);
    expect(await woke).toBe("work");
  });

  it("a toolchain learned in one shard reaches every shard before the completion answers", async () => {
    const keyboard = `arm_board_${newId().slice(0, 8)}`;
    const first = await submit(target, compileBody({ keyboard }));
    const armAgent = new Agent(target, "sharded-arm-agent", ["arm"]);
    const lease = await armAgent.leaseJob(first);
    expect((await armAgent.upload(lease, "firmware", new Uint8Array([1, 2, 3]))).status).toBe(200);
    await armAgent.uploadSourceAndLog(lease);
    expect((await armAgent.complete(lease, { toolchain: "arm", firmware_filename: "x.bin" })).status).toBe(
      200,
    );

    // The keyboard's next job, in another shard than the build that taught the toolchain.
    const next = await queuedElsewhere(shardOfJob(first, SHARDS), compileBody({ keyboard }));
    const avrAgent = new Agent(target, "sharded-avr-agent", ["avr"]);
    expect(await avrAgent.lease()).toBeNull();
    expect((await armAgent.lease())?.job.id).toBe(next.id);
  });

  it("an agent whose home shard is empty leases from another shard", async () => {
    const { id } = await queuedElsewhere(homeShardOf(agent.id, SHARDS));
    expect((await agent.lease())?.job.id).toBe(id);
  });

  it("answers a leased job's status from its shard while R2 still holds it as queued", async () => {
    // The lease's record write (job-table.ts persistLater) waits longer than the test takes.
    const delayMs = leaseWriteDelay.ms;
    leaseWriteDelay.ms = 600_000;
    try {
      const id = await submit(target);
      const lease = await agent.leaseJob(id);
      expect((await jobs.get(id))?.status).toBe("queued");
      expect(await status(target, id)).toMatchObject({ id, status: "running", queue_position: null });
      expect((await agent.complete(lease, { status: "failed", returncode: 1 })).status).toBe(200);
    } finally {
      leaseWriteDelay.ms = delayMs;
    }
  });
});
