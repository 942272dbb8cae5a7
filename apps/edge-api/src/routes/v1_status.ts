import type { ServiceStatus } from "@qmk-edge/schema";
import type { Context } from "hono";
import type { AppEnv } from "../deps.ts";
import type { Route } from "../http/route.ts";

// GET /v1 and GET /v1/healthcheck: `degraded` while no build agent that builds the served firmware version
// has asked for work recently (an agent on another version cannot build what clients submit).
async function serviceStatus(c: Context<AppEnv>): Promise<Response> {
  const { dispatcher, config, now } = c.get("deps");
  const stats = await dispatcher.stats(config.agentWindowSeconds, config.firmwareVersion);
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
  c.header("Cache-Control", "no-store");
  return c.json(body);
}

export const v1Status: Route[] = [
  { method: "GET", path: "/v1", handler: serviceStatus },
  { method: "GET", path: "/v1/healthcheck", handler: serviceStatus },
];
