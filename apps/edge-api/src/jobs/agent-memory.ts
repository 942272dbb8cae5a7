import { LIMITS } from "@qmk-edge/schema";

// How long the dispatchers remember an agent they saw (GET /v1 counts the recent ones): a day after its
// last lease or heartbeat, then it is forgotten.
export const AGENT_MEMORY_MS = 24 * 60 * 60 * 1000;

export const forgetAgentsSeenBefore = (now: Date): number => now.getTime() - AGENT_MEMORY_MS;

// The start of the window in which an agent counts as active (DispatchStats.agentsSeen).
export const agentsActiveSince = (now: Date, windowSeconds: number): number =>
  now.getTime() - windowSeconds * 1000;

// The default window in which an agent counts as connected: one lease, and never less than the longest lease
// poll (LIMITS.leaseWaitMs) plus a margin, since an idle agent is seen once per poll. A live agent polls or
// heartbeats well within it; one that stops (or says goodbye) no longer counts within a lease.
export const agentWindowSecondsOf = (leaseSeconds: number): number =>
  Math.max(leaseSeconds, Math.ceil(LIMITS.leaseWaitMs / 1000) + 5);
