// The Dispatcher object (shard) a job lives in, and its row's versions, for tests that look inside the object
// (runInDurableObject: under the test pool the objects run in the test's isolate).
import { runInDurableObject } from "cloudflare:test";
import type { DispatcherObject } from "../src/adapters/dispatcher/durable-object/object.ts";
import { shardOfJob, shardStub } from "../src/adapters/dispatcher/durable-object/shards.ts";
import { workerEnv } from "./target.worker.ts";

export const jobShardStub = (jobId: string) =>
  shardStub(workerEnv.DISPATCHER, shardOfJob(jobId, Number(workerEnv.DISPATCHER_SHARDS ?? 1)));

// The row's version and the last version marked as written through to R2, as stored in SQLite.
export const rowVersions = (jobId: string) =>
  runInDurableObject(jobShardStub(jobId), (_: DispatcherObject, state) =>
    state.storage.sql
      .exec<{ version: number; saved: number }>(
        "SELECT version, saved_version AS saved FROM jobs WHERE id = ?",
        jobId,
      )
      .one(),
  );
