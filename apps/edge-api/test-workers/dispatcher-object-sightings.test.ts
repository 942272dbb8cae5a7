import { runInDurableObject } from "cloudflare:test";
import type { ServiceStatus } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import type { DispatcherObject } from "../src/adapters/dispatcher/durable-object/object.ts";
import { homeShardOf, shardStub } from "../src/adapters/dispatcher/durable-object/shards.ts";
import { Agent } from "../test-support/api-client.ts";
import { target, workerEnv } from "../test-support/target.worker.ts";

// An empty lease poll is no SQLite commit of its own (agent-sightings.ts): an agent's poll is written at once
// when it is new to its home shard or its version or toolchains changed, else its time waits in memory (up to
// 10 s) and is stored before anything reads `last_seen` (the stats of GET /v1 and the no-agent rule).

const shards = Number(workerEnv.DISPATCHER_SHARDS ?? 1);

// The agent's row in its home shard's SQLite.
const row = (agent: Agent) =>
  runInDurableObject(
    shardStub(workerEnv.DISPATCHER, homeShardOf(agent.id, shards)),
    (_: DispatcherObject, state) =>
      state.storage.sql
        .exec<{ last_seen: number; toolchains: string }>(
          "SELECT last_seen, toolchains FROM agents WHERE agent_id = ?",
          agent.id,
        )
        .toArray()[0],
  );

// The next millisecond, so a later poll's time differs from an earlier one's.
async function tick(after: number): Promise<void> {
  while (Date.now() <= after) await new Promise((resolve) => setTimeout(resolve, 2));
}

async function serviceStatus(): Promise<ServiceStatus> {
  const res = await target.fetch("/v1");
  expect(res.status).toBe(200);
  return (await res.json()) as ServiceStatus;
}

describe("an agent's lease polls in the Dispatcher object", () => {
  const drainer = new Agent(target, "sightings-drainer");
  beforeEach(() => drainer.drain());

  it("writes the first poll at once and keeps later ones in memory until the stats read them", async () => {
    const agent = new Agent(target, `sightings-${crypto.randomUUID()}`);
    expect(await agent.lease()).toBeNull();
    const first = await row(agent);
    expect(first).toBeDefined();
    await tick(first!.last_seen);
    const before = Date.now();
    expect(await agent.lease()).toBeNull();
    // The second poll wrote nothing.
    expect((await row(agent))?.last_seen).toBe(first!.last_seen);
    // GET /v1 stores it first: the agent's latest poll, not its first.
    const status = await serviceStatus();
    const stored = (await row(agent))!.last_seen;
    expect(stored).toBeGreaterThanOrEqual(before);
    expect(Date.parse(status.last_agent_seen_at!)).toBeGreaterThanOrEqual(stored);
  });

  it("writes a poll at once when the agent's toolchains changed, or after it said goodbye", async () => {
    const id = `sightings-${crypto.randomUUID()}`;
    const agent = new Agent(target, id);
    expect(await agent.lease()).toBeNull();
    const armOnly = new Agent(target, id, ["arm"]);
    expect(await armOnly.lease()).toBeNull();
    expect((await row(agent))?.toolchains).toBe("arm");

    expect((await agent.post("/v1/agent/disconnect", { agent_id: id })).status).toBe(200);
    expect(await row(agent)).toBeUndefined();
    expect(await agent.lease()).toBeNull();
    expect((await row(agent))?.toolchains).toBe("avr,arm");
  });
});
