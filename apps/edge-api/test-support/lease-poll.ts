import { expect } from "vitest";
import type { Agent } from "./api-client.ts";

// Starts a long lease poll of `agent` (an agent id not seen before) and resolves once the API holds it: the
// agent is counted as seen, which both dispatchers do before a poll waits. The poll comes back wrapped, as an
// async function would otherwise wait for the promise it returns.
export async function openLeasePoll(agent: Agent, waitMs = 20_000): Promise<{ answer: Promise<Response> }> {
  const seen = async () =>
    ((await (await agent.target.fetch("/v1")).json()) as { agents_seen: number }).agents_seen;
  const before = await seen();
  const answer = agent.leaseResponse(waitMs);
  for (let i = 0; i < 200 && (await seen()) <= before; i++) await new Promise((r) => setTimeout(r, 25));
  expect(await seen()).toBeGreaterThan(before);
  return { answer };
}
