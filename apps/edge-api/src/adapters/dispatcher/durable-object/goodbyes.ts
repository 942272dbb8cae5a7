import { LEASE_MAX_WAIT_MS } from "@qmk-edge/schema";

// A poll that began up to this long after the disconnect reached the object (by the Worker's clock against
// the object's) ends too: the two clocks may differ a little, and ending a poll early costs an empty answer the
// agent repeats, while one left waiting could lease a job to an agent that is gone.
export const GOODBYE_MARGIN_MS = 1_000;

// Disconnects an object remembers (POST /v1/agent/disconnect), so that a lease poll of the agent that began
// before the disconnect but reaches its waiting place after it (a sharded poll still asking the shards when the
// goodbye reached the Lobby, or a poll's call overtaken by the disconnect's) ends at once instead of waiting out
// its wait. A poll begins at most LEASE_MAX_WAIT_MS before it starts waiting, so a disconnect is kept that long
// (plus the margin); memory only: an object that restarts forgets them with its waiting polls.
export class Goodbyes {
  // "agent id\ntoken id" -> when the disconnect arrived (this object's clock), oldest first.
  readonly #at = new Map<string, number>();

  said(agentId: string, tokenId: string, nowMs: number): void {
    const key = `${agentId}\n${tokenId}`;
    this.#at.delete(key);
    this.#at.set(key, nowMs);
    this.#forgetBefore(nowMs - LEASE_MAX_WAIT_MS - GOODBYE_MARGIN_MS);
  }

  // True when this agent said goodbye under this token after (or about when) its poll began at `startedMs`.
  endsPoll(agentId: string, tokenId: string, startedMs: number): boolean {
    const at = this.#at.get(`${agentId}\n${tokenId}`);
    return at !== undefined && startedMs <= at + GOODBYE_MARGIN_MS;
  }

  #forgetBefore(cutoffMs: number): void {
    for (const [key, at] of this.#at) {
      if (at >= cutoffMs) return;
      this.#at.delete(key);
    }
  }
}
