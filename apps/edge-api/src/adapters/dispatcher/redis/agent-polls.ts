import type { LeaseHolder, LeaseResponse } from "@qmk-edge/schema";
import { UNDELIVERED_LEASE } from "../../../jobs/lease.ts";

interface Poll {
  lease: (signal: AbortSignal) => Promise<LeaseResponse | null>;
  giveBack: (lease: LeaseResponse, reason: string) => Promise<void>;
}

// The lease polls this API process holds open, by agent and token, so that POST /v1/agent/disconnect ends
// them here at once (Node also ends a poll whose client hung up: the request's signal). A poll held by
// another process on the same Redis ends when its own client goes away.
export class AgentPolls {
  readonly #open = new Map<string, Set<AbortController>>();

  // Runs `poll.lease` with a signal that aborts when `signal` does or when end() names this agent and token.
  // A lease granted as the poll ended reached no one: it is given back, and the poll answers null.
  async run(holder: LeaseHolder, agentId: string, signal: AbortSignal | undefined, poll: Poll) {
    const key = keyOf(holder, agentId);
    const ended = new AbortController();
    const open = this.#open.get(key) ?? new Set<AbortController>();
    open.add(ended);
    this.#open.set(key, open);
    const aborted = signal ? AbortSignal.any([signal, ended.signal]) : ended.signal;
    try {
      const leased = await poll.lease(aborted);
      if (!leased || !aborted.aborted) return leased;
      await poll.giveBack(leased, UNDELIVERED_LEASE).catch(() => {});
      return null;
    } finally {
      open.delete(ended);
      if (open.size === 0 && this.#open.get(key) === open) this.#open.delete(key);
    }
  }

  end(holder: LeaseHolder, agentId: string): void {
    for (const poll of this.#open.get(keyOf(holder, agentId)) ?? []) poll.abort();
  }
}

const keyOf = (holder: LeaseHolder, agentId: string) => `${holder.token_id}\u0000${agentId}`;
