import type { ServiceStatus } from "@qmk-edge/schema";
import type { Context } from "hono";
import type { AppConfig } from "../config/app-config.ts";
import type { AppEnv } from "../deps.ts";
import type { Route } from "../http/route.ts";
import type { DispatchStats } from "../ports/dispatcher.ts";

// GET /v1 and GET /v1/healthcheck, 200 in every state (QMK Configurator keeps its last light on any other
// answer): `degraded` while no build agent that builds the served firmware version has polled or heartbeated
// within the agent window (an agent on another version cannot build what clients submit; one that said
// goodbye counts no more at once), `down` when the dispatcher itself does not answer.
async function serviceStatus(c: Context<AppEnv>): Promise<Response> {
  const { dispatcher, config, now } = c.get("deps");
  c.header("Cache-Control", "no-store");
  let stats: DispatchStats;
  try {
    stats = await dispatcher.stats(config.agentWindowSeconds, config.firmwareVersion);
  } catch (err) {
    console.error("GET /v1: the dispatcher did not answer:", err);
    return c.json(downStatus(config));
  }
  const oldest =
    stats.oldestQueuedAt === null ? null : Math.max(0, now().getTime() - Date.parse(stats.oldestQueuedAt));
  const body: ServiceStatus = {
    status: stats.agentsForVersion > 0 ? "running" : "degraded",
    version: config.serviceVersion,
    queue_length: stats.queued,
    running_jobs: stats.running,
    oldest_queued_age_seconds: oldest === null ? null : Math.round(oldest / 100) / 10,
    agents_seen: stats.agentsSeen,
    agents_for_firmware_version: stats.agentsForVersion,
    agents_window_seconds: config.agentWindowSeconds,
    last_agent_seen_at: stats.lastAgentSeenAt,
    firmware_version: config.firmwareVersion,
  };
  return c.json(body);
}

function downStatus(config: AppConfig): ServiceStatus {
  return {
    status: "down",
    problem: "the compile service cannot reach its job queue; compiles are refused until it is back",
    version: config.serviceVersion,
    queue_length: 0,
    running_jobs: 0,
    oldest_queued_age_seconds: null,
    agents_seen: 0,
    agents_for_firmware_version: 0,
    agents_window_seconds: config.agentWindowSeconds,
    last_agent_seen_at: null,
    firmware_version: config.firmwareVersion,
  };
}

export const v1Status: Route[] = [
  { method: "GET", path: "/v1", handler: serviceStatus },
  { method: "GET", path: "/v1/healthcheck", handler: serviceStatus },
];
