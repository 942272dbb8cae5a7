import { ExpiringMemo } from "../../memo/bounded-memo.ts";
import type { MetricEvent } from "../../ports/metrics.ts";

// An idle agent polls for a lease every few seconds, and the shared store of agents seen (the one MetricsObject
// on Workers, a Redis hash on Node) would take a write per poll of the whole fleet. Presence only has to be as
// fresh as the agent window (at least 30 s), so a process or isolate passes an agent's presence on again only
// after this long, or when its version or toolchains change.
export const PRESENCE_REFRESH_MS = 10_000;

// Which agents a process or isolate passed on lately (agent id -> version and toolchains); one per process
// (Node) or isolate (Workers), beside its stores.
export function presenceMemo(now?: () => number): ExpiringMemo<string> {
  return new ExpiringMemo<string>(10_000, PRESENCE_REFRESH_MS, now);
}

// True (and remembered) when this presence should be written: not sent within the refresh time, or changed.
export function presenceIsNews(
  sent: ExpiringMemo<string>,
  event: Extract<MetricEvent, { kind: "agent" }>,
): boolean {
  const what = `${event.firmwareVersion}\n${event.toolchains.join(",")}`;
  const last = sent.lookup(event.agentId);
  if (last.found && last.value === what) return false;
  sent.set(event.agentId, what);
  return true;
}
