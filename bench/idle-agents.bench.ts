// Idle agents on Node: `agents` lease polls held open over HTTP at once (each long-polling, nothing queued),
// then the Redis connections the API process holds are counted (CLIENT LIST on a Redis only it uses).
// Before issue 20 every waiting poll held a connection of its own.
import { Agent } from "node:http";
import { startRedis } from "@qmk-edge/test/servers/redis.ts";
import { Redis } from "ioredis";
import { httpCall } from "./node/load.ts";
import { BENCH_AGENT_TOKEN, startApiProcess } from "./node-cpu.bench.ts";

export async function benchIdleAgents(agents: number) {
  const redis = await startRedis();
  const api = await startApiProcess(redis.url);
  const admin = new Redis(redis.url);
  const http = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const base = new URL(api.url);
  try {
    // Each agent polls again when its poll ends empty, as the real agent loop does, until the count is taken.
    let stopping = false;
    const poll = async (i: number) => {
      while (!stopping) {
        await httpCall(http, base, {
          method: "POST",
          path: "/v1/agent/lease",
          body: JSON.stringify({
            agent_id: `idle-${i}`,
            toolchains: ["avr"],
            firmware_version: "demo-1",
            wait_ms: 25_000,
          }),
          headers: { authorization: `Bearer ${BENCH_AGENT_TOKEN}` },
        }).catch(() => null);
      }
    };
    // Connections opened 100 at a time: a burst of thousands overflows the listen backlog.
    const polls: Promise<void>[] = [];
    for (let i = 0; i < agents; i += 100) {
      for (let k = i; k < Math.min(agents, i + 100); k++) polls.push(poll(k));
      await new Promise((r) => setTimeout(r, 50));
    }
    // Every poll has reached the dispatcher once GET /v1 counts its agent.
    const deadline = Date.now() + 60_000;
    let seen = 0;
    while (Date.now() < deadline) {
      const status = (await fetch(`${api.url}/v1`).then((r) => r.json())) as { agents_seen: number };
      seen = status.agents_seen;
      if (seen >= agents) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const clients = ((await admin.client("LIST")) as string).split("\n").filter((l) => l.trim()).length;
    stopping = true;
    http.destroy();
    await Promise.all(polls);
    // The admin connection counting them is not the API's.
    return { idle_agents: agents, agents_waiting: seen, api_redis_connections: clients - 1 };
  } finally {
    await admin.quit();
    await api.stop();
    await redis.stop();
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await benchIdleAgents(Number(process.env.BENCH_IDLE_AGENTS ?? 3000)), null, 2));
}
