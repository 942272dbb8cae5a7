import type { LeaseRequest } from "@qmk-edge/schema";
import { noteSeen, seeAgent } from "./sql.ts";

// How long a lease poll's sighting of an agent may wait in memory (below). The same rule as the metrics'
// agent presence (adapters/metrics/presence.ts PRESENCE_REFRESH_MS).
export const SEEN_REFRESH_MS = 10_000;

// An idle agent polls for a lease every few seconds, and noting each poll in SQLite made every empty poll a
// commit of its own (a poll that leases commits anyway). So a poll is written at once only when the agent is
// new here, its version or toolchains changed, or its last write is SEEN_REFRESH_MS old; otherwise the time
// waits in memory, and is stored before anything reads `last_seen`: the stats (GET /v1, the no-agent rule),
// and the alarm before it forgets agents. While the object lives the counts are exact; an evicted object
// loses at most SEEN_REFRESH_MS of an agent's sightings (the agent window is at least 30 s by default).
export class AgentSightings {
  readonly #sql: SqlStorage;
  readonly #seen = new Map<string, { writtenMs: number; what: string; waitingMs: number | null }>();

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  // A lease poll (at the agent's home shard).
  see(request: LeaseRequest, nowMs: number): void {
    const what = `${request.firmware_version}\n${request.toolchains.join(",")}`;
    const last = this.#seen.get(request.agent_id);
    if (last && last.what === what && nowMs - last.writtenMs < SEEN_REFRESH_MS) {
      last.waitingMs = Math.max(nowMs, last.waitingMs ?? nowMs);
      return;
    }
    seeAgent(this.#sql, request.agent_id, request, nowMs);
    this.#seen.set(request.agent_id, { writtenMs: nowMs, what, waitingMs: null });
  }

  // Stores the sightings that wait (in the caller's turn, so with its other writes); forgets the agents not
  // written lately, so the map holds at most the agents of the last SEEN_REFRESH_MS.
  store(nowMs: number): void {
    for (const [agentId, seen] of this.#seen) {
      if (seen.waitingMs !== null) {
        noteSeen(this.#sql, agentId, seen.waitingMs);
        seen.writtenMs = seen.waitingMs;
        seen.waitingMs = null;
      } else if (nowMs - seen.writtenMs >= SEEN_REFRESH_MS) this.#seen.delete(agentId);
    }
  }

  // The agent said goodbye (its row is deleted): its next poll is written at once.
  forget(agentId: string): void {
    this.#seen.delete(agentId);
  }
}
