// How long the dispatchers remember an agent they saw (GET /v1 counts the recent ones): a day after its
// last lease or heartbeat, then it is forgotten.
export const AGENT_MEMORY_MS = 24 * 60 * 60 * 1000;

export const forgetAgentsSeenBefore = (now: Date): number => now.getTime() - AGENT_MEMORY_MS;

// The start of the window in which an agent counts as active (DispatchStats.agentsSeen).
export const agentsActiveSince = (now: Date, windowSeconds: number): number =>
  now.getTime() - windowSeconds * 1000;
