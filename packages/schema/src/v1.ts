import { z } from "zod";
import { keycodeTranslation } from "./catalogue.ts";
import { jobStage, jobStatus, refusal } from "./job.ts";
import { agentId, agentTrust, firmwareVersion, isoTimestamp, jobId, sha256Hex, tokenId } from "./names.ts";

// QMK API v1 wire shapes, field for field; our additions are new optional fields, never renames.

export const compileEnqueued = z.object({ enqueued: z.literal(true), job_id: jobId });
export type CompileEnqueued = z.infer<typeof compileEnqueued>;

const oneUrl = z.array(z.url()).length(1);
// qmk_api's link lists hold one URL; a link to an artifact the job does not have (a failed build's firmware)
// is left out rather than pointing at a 404.
const linkIfPresent = z.array(z.url()).max(1);

export const compileResult = z.object({
  id: jobId,
  keyboard: z.string(),
  layout: z.string(),
  keymap: z.string(),
  command: z.string(),
  returncode: z.number().int(),
  output: z.string(),
  firmware: z.null(),
  firmware_filename: z.string().nullable(),
  keymap_archive: z.string(),
  source_archive: z.string(),
  firmware_binary_url: linkIfPresent,
  firmware_keymap_url: linkIfPresent,
  firmware_source_url: linkIfPresent,
  // qmk-edge addition: the zip of the whole firmware tree the build used (unzip the source zip over it
  // and run its command). Absent when the agent did not upload one.
  source_tree_url: oneUrl.optional(),
});
export type CompileResult = z.infer<typeof compileResult>;

export const compileStatus = z.object({
  created_at: isoTimestamp,
  enqueued_at: isoTimestamp,
  id: jobId,
  is_failed: z.boolean(),
  status: jobStatus,
  result: compileResult.nullable(),
  // Present once finished, as qmk_api answers.
  is_finished: z.boolean().optional(),
  is_queued: z.boolean().optional(),
  is_started: z.boolean().optional(),
  // qmk-edge additions.
  stage: jobStage.nullable().optional(),
  attempts: z.number().int().nonnegative().optional(),
  queue_position: z.number().int().nonnegative().nullable().optional(),
  age_seconds: z.number().nonnegative().optional(),
  cached: z.boolean().optional(),
  failure_reason: z.string().nullable().optional(),
  firmware_version: firmwareVersion.optional(),
  // Once finished: false when only a community agent built it and no second agent reproduced it yet (the
  // firmware is served to this job, never to anyone else's); true otherwise. Null before the job ends.
  verified: z.boolean().nullable().optional(),
  // The agent that built it (its own id and its token's trust); null before the build ends.
  built_by: z.object({ agent_id: agentId, trust: agentTrust }).nullable().optional(),
  // Legacy keycodes renamed before the job was queued, at the key that used each ("layers.0.5").
  keycode_translations: z.array(keycodeTranslation).optional(),
  // A request refused before it was queued (sent with an Origin header, answered as a failed job): the error
  // answer the same request gets without Origin. `result.output` says it in words.
  refusal: refusal.optional(),
  // The operator purged the agent token that built this firmware (or put it in the build cache) after this
  // job got it: the firmware is no longer vouched for (`verified` is false); submit again for a fresh build.
  purged: z.object({ at: isoTimestamp, message: z.string() }).optional(),
});
export type CompileStatus = z.infer<typeof compileStatus>;

// GET /v1 and GET /v1/healthcheck, always 200: `degraded` = no build agent for firmware_version is connected,
// `down` = the API cannot reach its own queue (then the counts are 0 and `problem` says what is wrong).
export const serviceStatus = z.object({
  status: z.enum(["running", "degraded", "down"]),
  problem: z.string().optional(),
  version: z.string(),
  queue_length: z.number().int().nonnegative(),
  running_jobs: z.number().int().nonnegative(),
  oldest_queued_age_seconds: z.number().nonnegative().nullable(),
  agents_seen: z.number().int().nonnegative(),
  // Of those, the agents that asked for jobs of firmware_version: none means `degraded`.
  agents_for_firmware_version: z.number().int().nonnegative().optional(),
  agents_window_seconds: z.number().int().positive(),
  last_agent_seen_at: isoTimestamp.nullable(),
  firmware_version: firmwareVersion,
});
export type ServiceStatus = z.infer<typeof serviceStatus>;

// POST /v1/operator/agents/:token_id/purge: what was removed from the build cache.
export const purgeAgentResponse = z.object({
  token_id: tokenId,
  removed_cache_entries: z.array(sha256Hex),
  updated_candidates: z.array(sha256Hex),
  // Jobs whose firmware the token built or put in the cache, now marked `purged` in their status.
  marked_jobs: z.array(jobId).optional(),
});
export type PurgeAgentResponse = z.infer<typeof purgeAgentResponse>;

export const fieldError = z.object({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof fieldError>;

export const errorBody = z.object({
  code: z.number().int().min(400).max(599),
  message: z.string(),
  errors: z.array(fieldError).optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;
