import { DurableObject } from "cloudflare:workers";
import { Goodbyes } from "./goodbyes.ts";
import type { DispatcherBindings, LobbyRpc, LobbyWait } from "./interface.ts";

// A ring older than this before a wait began still sends the agent back to the shards: the Worker's clock and
// this object's may differ a little, and a spurious look costs one pass over the shards, a missed one a wait.
const RING_MARGIN_MS = 1_000;

interface Waiter {
  wait: LobbyWait;
  resolve: (answer: "work" | "timeout" | "ended") => void;
  timer: ReturnType<typeof setTimeout>;
}

// The sharded dispatcher's waiting room (docs/architecture.md, "The sharded dispatcher"). An agent that found
// no job in any shard waits here; a shard that queues a job with none of its lane queued ahead rings, and the
// oldest waiting agent that can build it goes back to the shards. Busy fleets never come here: agents find
// work in their home shard and shards with a backlog do not ring. Nothing is stored: if the object restarts,
// waits end early and agents simply poll again. A disconnect ends the agent's waits here, and also the wait of
// a poll that began before it but was still asking the shards when it arrived (goodbyes.ts).
export class DispatcherLobby extends DurableObject<DispatcherBindings> implements LobbyRpc {
  readonly #waiters: Waiter[] = [];
  // Per firmware version, when a ring last found nobody waiting.
  readonly #unanswered = new Map<string, number>();
  readonly #goodbyes = new Goodbyes();

  async waitForWork(wait: LobbyWait): Promise<"work" | "timeout" | "ended"> {
    if (this.#goodbyes.endsPoll(wait.agentId, wait.tokenId, wait.startedMs)) return "ended";
    const rung = this.#unanswered.get(wait.firmwareVersion);
    if (rung !== undefined && rung >= wait.sinceMs - RING_MARGIN_MS) return "work";
    return await new Promise((resolve) => {
      const waiter: Waiter = {
        wait,
        resolve,
        timer: setTimeout(() => this.#answer(waiter, "timeout"), Math.max(0, wait.waitMs)),
      };
      this.#waiters.push(waiter);
    });
  }

  async ring(firmwareVersion: string, lane: string | null): Promise<void> {
    const waiter = this.#waiters.find(
      (w) =>
        w.wait.firmwareVersion === firmwareVersion && (lane === null || w.wait.toolchains.includes(lane)),
    );
    if (waiter) this.#answer(waiter, "work");
    else this.#unanswered.set(firmwareVersion, Date.now());
  }

  async endWaits(agentId: string, tokenId: string): Promise<void> {
    this.#goodbyes.said(agentId, tokenId, Date.now());
    for (const waiter of [...this.#waiters]) {
      if (waiter.wait.agentId === agentId && waiter.wait.tokenId === tokenId) this.#answer(waiter, "ended");
    }
  }

  #answer(waiter: Waiter, answer: "work" | "timeout" | "ended"): void {
    const i = this.#waiters.indexOf(waiter);
    if (i < 0) return;
    this.#waiters.splice(i, 1);
    clearTimeout(waiter.timer);
    waiter.resolve(answer);
  }
}
