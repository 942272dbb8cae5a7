import { z } from "zod";
import { compileRequest } from "./compile-request.ts";
import { artifactKind, buildTimings, jobStage } from "./job.ts";
import { LIMITS } from "./limits.ts";
import { agentId, firmwareVersion, isoTimestamp, jobId, sha256Hex, toolchain } from "./names.ts";

// Messages of /v1/agent/*. Every request carries `Authorization: Bearer <agent token>`.

export const LEASE_MAX_WAIT_MS = LIMITS.leaseWaitMs;

export const leaseRequest = z.object({
  agent_id: agentId,
  toolchains: z.array(toolchain).min(1),
  firmware_version: firmwareVersion,
  wait_ms: z.number().int().min(0).max(LEASE_MAX_WAIT_MS).optional(),
});
export type LeaseRequest = z.infer<typeof leaseRequest>;

export const agentJob = z.object({
  id: jobId,
  request: compileRequest,
  content_key: sha256Hex,
  firmware_version: firmwareVersion,
  attempts: z.number().int().nonnegative(),
});
export type AgentJob = z.infer<typeof agentJob>;

// 200 with this body, or 204 when nothing arrived within wait_ms.
export const leaseResponse = z.object({
  job: agentJob,
  lease_id: z.string().min(16).max(64),
  lease_expires_at: isoTimestamp,
});
export type LeaseResponse = z.infer<typeof leaseResponse>;

export const heartbeatRequest = z.object({ lease_id: z.string().min(16).max(64), stage: jobStage });
export type HeartbeatRequest = z.infer<typeof heartbeatRequest>;

export const heartbeatResponse = z.object({ lease_expires_at: isoTimestamp });
export type HeartbeatResponse = z.infer<typeof heartbeatResponse>;

// PUT /v1/agent/jobs/:id/artifacts/:kind — the body is the raw artifact; these headers describe it.
export const ARTIFACT_HEADERS = {
  leaseId: "x-lease-id",
  sha256: "x-artifact-sha256",
  filename: "x-artifact-filename",
} as const;

export const artifactUploadHeaders = z.object({
  [ARTIFACT_HEADERS.leaseId]: z.string().min(16).max(64),
  [ARTIFACT_HEADERS.sha256]: sha256Hex,
  [ARTIFACT_HEADERS.filename]: z.string().regex(/^[A-Za-z0-9._-]{1,160}$/),
  "content-length": z.coerce.number().int().nonnegative(),
});
export type ArtifactUploadHeaders = z.infer<typeof artifactUploadHeaders>;

// POST /v1/agent/jobs/:id/artifacts/:kind/link: attach an object the store already holds (found by its
// sha256 and size) without sending its bytes again; 404 when it has none, and the agent uploads it. For
// `tree` artifacts only: hundreds of megabytes, the same for every job of a firmware version.
export const LINKABLE_ARTIFACT_KINDS = ["tree"] as const;

export const artifactLinkRequest = z.object({
  lease_id: z.string().min(16).max(64),
  sha256: sha256Hex,
  size: z.number().int().nonnegative(),
  filename: z.string().regex(/^[A-Za-z0-9._-]{1,160}$/),
});
export type ArtifactLinkRequest = z.infer<typeof artifactLinkRequest>;

export const artifactUploadResponse = z.object({
  kind: artifactKind,
  sha256: sha256Hex,
  size: z.number().int().nonnegative(),
});
export type ArtifactUploadResponse = z.infer<typeof artifactUploadResponse>;

export const completeRequest = z.object({
  lease_id: z.string().min(16).max(64),
  status: z.enum(["finished", "failed"]),
  returncode: z.number().int(),
  output: z.string().max(LIMITS.logTailChars),
  command: z.string().max(1024),
  firmware_filename: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,160}$/)
    .nullable(),
  toolchain: toolchain.nullable(),
  timings: buildTimings,
});
export type CompleteRequest = z.infer<typeof completeRequest>;

export const completeResponse = z.object({ id: jobId, status: z.enum(["finished", "failed"]) });
export type CompleteResponse = z.infer<typeof completeResponse>;

// Hands a job back without counting an attempt (agent shutting down, or it lacks what the job needs).
export const releaseRequest = z.object({ lease_id: z.string().min(16).max(64), reason: z.string().max(512) });
export type ReleaseRequest = z.infer<typeof releaseRequest>;

// The agent is going away (it has finished or handed back every job it knows of). A lease poll it abandoned
// can still be holding a place in the queue, and a job the API handed to that poll reached no one: both end
// now instead of at the lease's expiry. Leases this agent id holds under the same token are handed back.
export const disconnectRequest = z.object({ agent_id: agentId });
export type DisconnectRequest = z.infer<typeof disconnectRequest>;

export const disconnectResponse = z.object({ released: z.number().int().nonnegative() });
export type DisconnectResponse = z.infer<typeof disconnectResponse>;
