import type { LeaseHolder, LeaseRequest } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { R2BlobStore } from "../src/adapters/blob-store/r2.ts";
import { DurableObjectDispatcher } from "../src/adapters/dispatcher/durable-object/client.ts";
import {
  lobbyStub,
  shardName,
  shardOfJob,
  shardStub,
} from "../src/adapters/dispatcher/durable-object/shards.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { newId } from "../src/jobs/job-id.ts";
import { compileJobRecord } from "../test-support/compile-job-record.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// What reaching the Dispatcher objects costs the Worker per request (docs/architecture.md, "Workers: a
// request"): the shards' and the Lobby's DurableObjectIds are made once per isolate (idFromName hashes the
// name), their stubs per request (a stub that once failed stays failed), and a lease makes the Lobby's stub
// only when it has to wait. The namespaces are the real bindings, with idFromName and get counted.

const SHARDS = Number(workerEnv.DISPATCHER_SHARDS);
const jobs = new BlobJobStore(new R2BlobStore(workerEnv.BUCKET));
const holder: LeaseHolder = { token_id: "ids-token", trust: "trusted" };

function counting<T extends Rpc.DurableObjectBranded | undefined>(namespace: DurableObjectNamespace<T>) {
  const calls = { idFromName: [] as string[], get: 0 };
  const counted = new Proxy(namespace, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop);
      if (typeof value !== "function") return value;
      if (prop === "idFromName")
        return (name: string) => {
          calls.idFromName.push(name);
          return obj.idFromName(name);
        };
      if (prop === "get")
        return (id: DurableObjectId) => {
          calls.get++;
          return obj.get(id);
        };
      return value.bind(obj);
    },
  });
  return { namespace: counted, calls };
}

// A queued job of `firmwareVersion` in every shard, its record in R2.
async function oneJobPerShard(firmwareVersion: string): Promise<void> {
  for (let shard = 0; shard < SHARDS; shard++) {
    let id = newId();
    while (shardOfJob(id, SHARDS) !== shard) id = newId();
    const record = await compileJobRecord({ firmwareVersion, maxAttempts: target.maxAttempts }, { id });
    await jobs.put(record);
    expect(await shardStub(workerEnv.DISPATCHER, shard).enqueue(record)).toEqual({
      ok: true,
      value: "queued",
    });
  }
}

describe("the Worker's Dispatcher client", () => {
  it("makes each object's id once per isolate, its stubs per request, and the Lobby's stub only for a wait", async () => {
    const version = `ids-${newId()}`;
    await oneJobPerShard(version);
    const shards = counting(workerEnv.DISPATCHER);
    const lobby = counting(workerEnv.DISPATCHER_LOBBY);
    // One dispatcher per request, as workerDeps makes it.
    const requestDispatcher = () =>
      new DurableObjectDispatcher(shards.namespace, workerEnv.JOBS, {
        shards: SHARDS,
        lobby: lobby.namespace,
      });
    const ask = (agent: string): LeaseRequest => ({
      agent_id: `ids-agent-${agent}`,
      toolchains: ["avr", "arm"],
      firmware_version: version,
      wait_ms: 600_000,
    });

    // Every job leased at once, each by a request of its own, then checked by another.
    for (let i = 0; i < SHARDS; i++) {
      const leased = await requestDispatcher().lease(ask(`${i}`), holder);
      expect(leased).not.toBeNull();
      await requestDispatcher().checkLease(leased!.job.id, leased!.lease_id, holder);
    }
    expect(lobby.calls).toEqual({ idFromName: [], get: 0 });
    // Each shard named once, however many requests reached it; a stub for every call.
    expect(shards.calls.idFromName.length).toBe(new Set(shards.calls.idFromName).size);
    expect(shards.calls.idFromName.length).toBeLessThanOrEqual(SHARDS);
    expect(shards.calls.get).toBeGreaterThanOrEqual(2 * SHARDS);

    // No job is left: two polls wait in the Lobby, each with a stub of its own, until their agent's goodbye
    // (which the Lobby also answers for a poll that reaches it after the goodbye, goodbyes.ts).
    for (const agent of ["late", "later"]) {
      const poll = requestDispatcher().lease(ask(agent), holder);
      await lobbyStub(workerEnv.DISPATCHER_LOBBY).endWaits(ask(agent).agent_id, holder.token_id);
      expect(await poll).toBeNull();
    }
    expect(lobby.calls).toEqual({ idFromName: ["dispatcher-lobby"], get: 2 });
    const names = Array.from({ length: SHARDS }, (_, i) => shardName(i));
    expect(shards.calls.idFromName.toSorted()).toEqual(names.toSorted());
  });
});
