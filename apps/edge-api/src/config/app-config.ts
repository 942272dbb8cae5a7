import type { CommunityCachePolicy } from "../jobs/build-cache.ts";
import type { BuildHealthPolicy } from "../jobs/build-health.ts";
import type { AgentToken } from "./agent-tokens.ts";

// What the app needs to know of its configuration, the same on both runtimes (config/env-schema.ts appConfigOf).
export interface AppConfig {
  serviceVersion: string;
  // The firmware version the agent pool builds; part of every content key.
  firmwareVersion: string;
  // Each accepted agent token: its sha256 (the token itself is never kept), name and trust.
  agentTokens: AgentToken[];
  // sha256 of each operator token (POST /v1/operator/*); empty = the operator routes are closed.
  operatorTokenHashes: string[];
  maxAttempts: number;
  leaseSeconds: number;
  // An agent counts as connected this long after its last lease poll or heartbeat (GET /v1, jobs/no-agent.ts).
  agentWindowSeconds: number;
  // How long a queued job waits with no agent for its firmware version before it fails saying so.
  noAgentWaitSeconds: number;
  // Requests refused as already-failed jobs: any with an Origin header (`*`), those from these origins, or none.
  refusalJobOrigins: "*" | "none" | string[];
  // COMMUNITY_CACHE_POLICY: what lets a community build into the shared build cache.
  communityCachePolicy: CommunityCachePolicy;
  // Base of the absolute URLs in status answers. Absent: the request's origin when its host is a loopback
  // name (local development), else http://localhost; a request's Host header never chooses it.
  publicBaseUrl?: string;
  // Default-keymap builds by idle trusted agents (BUILD_HEALTH*).
  buildHealth: BuildHealthPolicy;
}
