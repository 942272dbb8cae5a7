import { z } from "zod";
import { keycodeTranslation } from "./catalogue.ts";
import { compileRequest } from "./compile-request.ts";
import { ARTIFACT_KINDS, LIMITS } from "./limits.ts";
import {
  agentId,
  agentTrust,
  firmwareVersion,
  isoTimestamp,
  jobId,
  sha256Hex,
  tokenId,
  toolchain,
} from "./names.ts";

// QMK API v1 status values. A job only moves forward: queued -> running -> finished | failed
// (an expired lease is the one way back, from running to queued, with attempts + 1).
export const jobStatus = z.enum(["queued", "running", "finished", "failed"]);
export type JobStatus = z.infer<typeof jobStatus>;

export const jobStage = z.enum(["preparing", "compiling", "packaging", "uploading"]);
export type JobStage = z.infer<typeof jobStage>;

export const artifactKind = z.enum(ARTIFACT_KINDS);

export const artifactRef = z.object({
  key: z.string().min(1),
  sha256: sha256Hex,
  size: z.number().int().nonnegative(),
  filename: z.string().min(1),
  content_type: z.string().min(1),
  // The lease it was uploaded under: artifacts belong to that lease and end with it.
  lease_id: z.string().min(16).max(64).optional(),
});
export type ArtifactRef = z.infer<typeof artifactRef>;

export const artifactSet = z.object({
  firmware: artifactRef.optional(),
  source: artifactRef.optional(),
  keymap: artifactRef.optional(),
  log: artifactRef.optional(),
  tree: artifactRef.optional(),
});
export type ArtifactSet = z.infer<typeof artifactSet>;

export const buildTimings = z.object({
  prepare_ms: z.number().int().nonnegative().optional(),
  compile_ms: z.number().int().nonnegative().optional(),
  package_ms: z.number().int().nonnegative().optional(),
  upload_ms: z.number().int().nonnegative().optional(),
});
export type BuildTimings = z.infer<typeof buildTimings>;

// What the build produced; the v1 `result` object is derived from it.
export const buildResult = z.object({
  returncode: z.number().int(),
  output: z.string().max(LIMITS.logTailChars),
  command: z.string().max(1024),
  firmware_filename: z.string().nullable(),
  toolchain: toolchain.nullable(),
  timings: buildTimings,
});
export type BuildResult = z.infer<typeof buildResult>;

export const lease = z.object({
  id: z.string().min(16).max(64),
  agent_id: agentId,
  expires_at: isoTimestamp,
  // The agent token that holds the lease, and its trust; only that token may act on the lease.
  // (Absent on leases granted before tokens had names: any accepted token may act on those.)
  token_id: tokenId.optional(),
  trust: agentTrust.optional(),
});
export type Lease = z.infer<typeof lease>;

// Who asks: the token an agent authenticated with, as the API's configuration names it.
export const leaseHolder = z.object({ token_id: tokenId, trust: agentTrust });
export type LeaseHolder = z.infer<typeof leaseHolder>;

// Who built a result: the agent's own id, the token it used and that token's trust.
export const builtBy = z.object({ agent_id: agentId, token_id: tokenId, trust: agentTrust });
export type BuiltBy = z.infer<typeof builtBy>;

export const historyEntry = z.object({
  at: isoTimestamp,
  status: jobStatus,
  stage: jobStage.nullable(),
  note: z.string().max(1024).optional(),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

// A compile request refused before anything was queued, kept as a job that failed at once (issue 18: QMK
// Configurator shows only a job's output, never an error body). `code`, `message` and `errors` are the 4xx or
// 5xx answer a client without an Origin header gets for the same request.
export const refusal = z.object({
  code: z.number().int().min(400).max(599),
  message: z.string().max(1024),
  errors: z
    .array(z.object({ path: z.string().max(256), message: z.string().max(1024) }))
    .max(LIMITS.fieldErrors)
    .optional(),
});
export type Refusal = z.infer<typeof refusal>;

// The job record kept in the blob store at jobs/<id>.json; the single source for GET /v1/compile/:id.
export const jobRecord = z.object({
  schema_version: z.literal(1),
  id: jobId,
  created_at: isoTimestamp,
  enqueued_at: isoTimestamp,
  started_at: isoTimestamp.nullable(),
  finished_at: isoTimestamp.nullable(),
  status: jobStatus,
  stage: jobStage.nullable(),
  attempts: z.number().int().nonnegative(),
  max_attempts: z.number().int().positive(),
  lease: lease.nullable(),
  history: z.array(historyEntry),
  request: compileRequest,
  content_key: sha256Hex,
  firmware_version: firmwareVersion,
  toolchain: toolchain.nullable(),
  cache_hit_of: jobId.nullable(),
  artifacts: artifactSet,
  result: buildResult.nullable(),
  failure_reason: z.string().max(1024).nullable(),
  // Set when a build ends: who built it, and whether the result is trusted (a trusted token built it, or a
  // second token reproduced its firmware byte for byte). Absent on records written before trust levels.
  built_by: builtBy.nullable().optional(),
  verified: z.boolean().optional(),
  // Legacy keycodes the API renamed (per the published catalogue) before queueing; `request` holds the new names.
  keycode_translations: z.array(keycodeTranslation).optional(),
  // Set when the keyboard's default keymap did not build on this firmware when last tested (build health);
  // the status answer's output starts with it.
  build_health_note: z.string().max(1024).optional(),
  // Set on a refused request's record: it never entered the queue, and its `request` holds only the names
  // the request gave (or placeholders), with one placeholder key: nothing of it is ever built.
  refusal: refusal.optional(),
  // Set when the operator purged the token that built (or cache-produced) this job's firmware.
  purged: z.object({ at: isoTimestamp, token_id: tokenId }).optional(),
});
export type JobRecord = z.infer<typeof jobRecord>;

// One finished build of a content key, as the build cache remembers it.
export const cacheBuild = builtBy.extend({ job_id: jobId, firmware_sha256: sha256Hex, at: isoTimestamp });
export type CacheBuild = z.infer<typeof cacheBuild>;

// Points a content key at the finished job whose artifacts answer it: cache/<content_key>.json.
export const cacheEntry = z.object({
  content_key: sha256Hex,
  job_id: jobId,
  firmware_version: firmwareVersion,
  artifacts: artifactSet,
  result: buildResult,
  created_at: isoTimestamp,
  // The builds that put it here: one by a trusted token, or two by different tokens with the same firmware
  // sha256. Absent on entries written before trust levels (those came from the operator's own tokens).
  producers: z.array(cacheBuild).min(1).optional(),
});
export type CacheEntry = z.infer<typeof cacheEntry>;

// Community builds of a content key waiting for a second token to reproduce them: candidates/<content_key>.json.
// They never answer a request. At most one build per token is kept, newest first.
export const CACHE_CANDIDATES_MAX = LIMITS.cacheCandidates;
export const cacheCandidate = z.object({
  content_key: sha256Hex,
  firmware_version: firmwareVersion,
  builds: z.array(cacheBuild).max(CACHE_CANDIDATES_MAX),
});
export type CacheCandidate = z.infer<typeof cacheCandidate>;

// A message on the job queue (Cloudflare Queue "compile-jobs"): the record itself stays in the blob store.
export const jobQueueMessage = z.object({ job_id: jobId });
export type JobQueueMessage = z.infer<typeof jobQueueMessage>;
