import type { LeaseHolder, LeaseRequest, LeaseResponse } from "@qmk-edge/schema";
import type { DispatchStats } from "../../../ports/dispatcher.ts";
import type { DispatcherRpc, LobbyRpc, Moved } from "./interface.ts";
import { isOlder, type Offer, type QueuedJob } from "./leases.ts";
import { type Outcome, unwrap } from "./outcome.ts";
import { homeShardOf, lobbyStub, shardStub } from "./shards.ts";

// The Worker's side of the calls that span shards (docs/architecture.md, "The sharded dispatcher").

// A shard holding at least this many jobs the agent can build leases one at once: with a backlog that deep
// on every shard, taking the oldest of all shards would cost a look at each for no one's benefit.
export const CLAIM_AT_BACKLOG = 4;

// A lease across shards. The agent's home shard leases at once when it has a backlog (one call: the busy
// case), else the next shard that has one; otherwise every shard has named its oldest job for the agent and
// the oldest of all is claimed, so a short queue is served oldest first as with one object. A claim that lost
// its race to another agent takes its shard's next job when that is still the oldest the Worker knows of, or
// names it, and the Worker tries the next oldest: what the other shards named stays a lower bound on their
// oldest (jobs only leave, or arrive newer), so a lost race costs one more claim, not a look at every shard.
// When no shard has a job the agent waits in the Lobby until a shard rings (or its wait ends) and looks again,
// or until the agent disconnects: the Lobby also ends the wait of a poll that began before a disconnect it
// already took (goodbyes.ts), as the disconnect's own call reaches it before a poll still asking the shards.
// The Lobby's stub is made only by a poll that waits: most leases of a busy fleet get a job at once.
export async function shardedLease(
  namespace: DurableObjectNamespace<DispatcherRpc>,
  lobbyNamespace: DurableObjectNamespace<LobbyRpc>,
  shards: number,
  request: LeaseRequest,
  holder: LeaseHolder,
  signal?: AbortSignal,
): Promise<LeaseResponse | null> {
  const home = homeShardOf(request.agent_id, shards);
  const startedMs = Date.now();
  const deadline = startedMs + (request.wait_ms ?? 0);
  const ask = { ...request, wait_ms: 0 };
  let lobby: DurableObjectStub<LobbyRpc> | null = null;
  for (;;) {
    const sinceMs = Date.now();
    // Home first, then the others in turn: the first with a backlog leases at once, so an agent whose home
    // ran dry in a busy fleet pays one more call, not a look at every shard and a claim.
    const named = new Map<number, QueuedJob>();
    for (let k = 0; k < shards; k++) {
      const shard = (home + k) % shards;
      const answer = unwrap(
        (await shardStub(namespace, shard).offer(
          ask,
          holder,
          shard === home,
          CLAIM_AT_BACKLOG,
        )) as Outcome<Offer>,
      );
      if ("leased" in answer) return answer.leased;
      if (answer.oldest) named.set(shard, answer.oldest);
    }
    const sawJobs = named.size > 0;
    while (named.size > 0) {
      const [best, olderThan] = oldestTwo(named);
      const answer = unwrap(
        (await shardStub(namespace, best).claim(
          ask,
          holder,
          named.get(best)!.id,
          olderThan,
        )) as Outcome<Offer>,
      );
      if ("leased" in answer) return answer.leased;
      if (answer.oldest) named.set(best, answer.oldest);
      else named.delete(best);
    }
    if (sawJobs) continue; // every job named was taken first: look at every shard again
    const waitMs = deadline - Date.now();
    if (waitMs <= 0 || signal?.aborted) return null;
    lobby ??= lobbyStub(lobbyNamespace);
    const woke = await lobby.waitForWork({
      firmwareVersion: request.firmware_version,
      toolchains: request.toolchains,
      agentId: request.agent_id,
      tokenId: holder.token_id,
      startedMs,
      sinceMs,
      waitMs,
    });
    if (woke !== "work") return null;
  }
}

// The shard naming the oldest job, and the oldest job any other shard named (null: none).
function oldestTwo(named: Map<number, QueuedJob>): [number, QueuedJob | null] {
  let best: [number, QueuedJob] | null = null;
  let second: QueuedJob | null = null;
  for (const [shard, job] of named) {
    if (!best || isOlder(job, best[1])) {
      second = best?.[1] ?? null;
      best = [shard, job];
    } else if (!second || isOlder(job, second)) second = job;
  }
  return [best![0], second];
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
