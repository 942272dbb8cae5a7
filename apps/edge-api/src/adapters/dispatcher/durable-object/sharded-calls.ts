import type { LeaseHolder, LeaseRequest, LeaseResponse } from "@qmk-edge/schema";
import type { DispatchStats } from "../../../ports/dispatcher.ts";
import type { DispatcherRpc, LobbyRpc, Moved } from "./interface.ts";
import { type Outcome, unwrap } from "./outcome.ts";
import { homeShardOf, shardStub } from "./shards.ts";

// The Worker's side of the calls that span shards (docs/architecture.md, "The sharded dispatcher").

// A shard holding at least this many jobs the agent can build leases one at once: with a backlog that deep
// on every shard, taking the oldest of all shards would cost a look at each for no one's benefit.
export const CLAIM_AT_BACKLOG = 4;

type OfferAnswer = { leased: LeaseResponse } | { oldest: { enqueuedMs: number; id: string } | null };

// A lease across shards. The agent's home shard leases at once when it has a backlog (one call: the busy
// case), else the next shard that has one; otherwise every shard has named its oldest job for the agent and
// the oldest of all is claimed, so a short queue is served oldest first as with one object. When no shard has a job the agent waits in the Lobby until
// a shard rings (or its wait ends) and looks again.
export async function shardedLease(
  namespace: DurableObjectNamespace<DispatcherRpc>,
  lobby: DurableObjectStub<LobbyRpc>,
  shards: number,
  request: LeaseRequest,
  holder: LeaseHolder,
  signal?: AbortSignal,
): Promise<LeaseResponse | null> {
  const home = homeShardOf(request.agent_id, shards);
  const deadline = Date.now() + (request.wait_ms ?? 0);
  const ask = { ...request, wait_ms: 0 };
  const offer = async (shard: number, claimAt: number) =>
    unwrap(
      (await shardStub(namespace, shard).offer(ask, holder, shard === home, claimAt)) as Outcome<OfferAnswer>,
    );
  for (;;) {
    const sinceMs = Date.now();
    // Home first, then the others in turn: the first with a backlog leases at once, so an agent whose home
    // ran dry in a busy fleet pays one more call, not a look at every shard and a claim.
    const offers: { shard: number; oldest: { enqueuedMs: number; id: string } | null }[] = [];
    for (let k = 0; k < shards; k++) {
      const shard = (home + k) % shards;
      const answer = await offer(shard, CLAIM_AT_BACKLOG);
      if ("leased" in answer) return answer.leased;
      offers.push({ shard, oldest: answer.oldest });
    }
    const best = offers
      .filter((o) => o.oldest !== null)
      .sort(
        (a, b) => a.oldest!.enqueuedMs - b.oldest!.enqueuedMs || (a.oldest!.id < b.oldest!.id ? -1 : 1),
      )[0];
    if (best) {
      const stub = shardStub(namespace, best.shard);
      const leased = unwrap(
        (await stub.claim(ask, holder, best.oldest!.id)) as Outcome<LeaseResponse | null>,
      );
      if (leased) return leased;
      continue; // another agent took it first: look again
    }
    const waitMs = deadline - Date.now();
    if (waitMs <= 0 || signal?.aborted) return null;
    const woke = await lobby.waitForWork({
      firmwareVersion: request.firmware_version,
      toolchains: request.toolchains,
      agentId: request.agent_id,
      tokenId: holder.token_id,
      sinceMs,
      waitMs,
    });
    if (woke !== "work") return null;
  }
}

// GET /v1 over every shard: jobs add up; each agent is counted at its home shard only (shard-role.ts).
export function mergeStats(all: DispatchStats[]): DispatchStats {
  const min = (values: (string | null)[]) => values.filter((v) => v !== null).sort()[0] ?? null;
  const max = (values: (string | null)[]) =>
    values
      .filter((v) => v !== null)
      .sort()
      .at(-1) ?? null;
  return {
    queued: all.reduce((n, s) => n + s.queued, 0),
    running: all.reduce((n, s) => n + s.running, 0),
    oldestQueuedAt: min(all.map((s) => s.oldestQueuedAt)),
    agentsSeen: all.reduce((n, s) => n + s.agentsSeen, 0),
    agentsForVersion: all.reduce((n, s) => n + s.agentsForVersion, 0),
    lastAgentSeenAt: max(all.map((s) => s.lastAgentSeenAt)),
  };
}

// A queued job's position across shards: the jobs ahead of it in its own shard, plus those every other shard
// holds queued from before it was enqueued (the order an idle fleet would take them in).
export async function queuePositionAcross(
  shards: DurableObjectStub<DispatcherRpc>[],
  own: number,
  jobId: string,
): Promise<number | Moved | null> {
  const standing = (await shards[own]!.queueStanding(jobId)) as
    | { ahead: number; enqueuedMs: number }
    | Moved
    | null;
  if (!standing || "moved" in standing) return standing;
  const others = shards.filter((_, i) => i !== own);
  const counts = await Promise.all(others.map((s) => s.queuedBefore(standing.enqueuedMs, jobId)));
  return standing.ahead + (counts as number[]).reduce((a, b) => a + b, 0);
}
