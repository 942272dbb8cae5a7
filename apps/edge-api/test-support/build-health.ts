import { expect } from "vitest";
import type { Agent } from "./api-client.ts";

// An idle agent's build-health calls: which keyboard to build next (null on 204), and its result.
export async function claimKeyboard(agent: Agent, firmwareVersion: string): Promise<string | null> {
  const res = await agent.post("/v1/agent/build_health/claim", {
    agent_id: agent.id,
    firmware_version: firmwareVersion,
  });
  if (res.status === 204) return null;
  expect(res.status).toBe(200);
  const body = (await res.json()) as { keyboard: string; firmware_version: string };
  expect(body.firmware_version).toBe(firmwareVersion);
  return body.keyboard;
}

export function reportBuild(
  agent: Agent,
  firmwareVersion: string,
  keyboard: string,
  works: boolean,
  message: string,
): Promise<Response> {
  return agent.post("/v1/agent/build_health/report", {
    firmware_version: firmwareVersion,
    keyboard,
    works,
    message,
  });
}
