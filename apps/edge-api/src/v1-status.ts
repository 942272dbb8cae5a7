import {
  type CompileResult,
  type CompileStatus,
  type JobRecord,
  keymapArchiveName,
  sourceArchiveName,
} from "@qmk-edge/schema";
import { isTerminal } from "./jobs/lifecycle.ts";

// Base of absolute URLs: the configured public URL, else the origin the client used.
export function publicBaseUrl(requestUrl: string, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, "");
  return new URL(requestUrl).origin;
}

export const artifactUrl = (
  base: string,
  id: string,
  route: "download" | "keymap" | "source" | "log" | "tree",
) => `${base}/v1/compile/${id}/${route}`;

// qmk_compiler's return code for a job that failed inside the service (no build result to show).
const RETURNCODE_INTERNAL = -3;

function compileResult(record: JobRecord, base: string): CompileResult | null {
  if (!record.result && record.status !== "failed") return null;
  const { request } = record;
  const result = record.result ?? {
    returncode: RETURNCODE_INTERNAL,
    output: record.failure_reason ?? "the job failed inside the compile service",
    command: "",
    firmware_filename: null,
  };
  return {
    id: record.id,
    keyboard: request.keyboard,
    layout: request.layout,
    keymap: request.keymap,
    command: result.command,
    returncode: result.returncode,
    // The build log tail, as qmk_api's `output`.
    output: result.output,
    firmware: null,
    firmware_filename: result.firmware_filename ?? record.artifacts.firmware?.filename ?? null,
    keymap_archive: keymapArchiveName(request),
    source_archive: sourceArchiveName(request),
    firmware_binary_url: [artifactUrl(base, record.id, "download")],
    firmware_keymap_url: [artifactUrl(base, record.id, "keymap")],
    firmware_source_url: [artifactUrl(base, record.id, "source")],
    // qmk-edge addition: the whole tree the source zip goes over, when the agent uploaded it.
    ...(record.artifacts.tree ? { source_tree_url: [artifactUrl(base, record.id, "tree")] } : {}),
  };
}

// GET /v1/compile/:id. qmk_api's fields first, then ours. Nothing about the client (no IP) is in the record.
export function compileStatusOf(
  record: JobRecord,
  args: { baseUrl: string; now: Date; queuePosition: number | null },
): CompileStatus {
  const terminal = isTerminal(record);
  const ageMs = Math.max(0, args.now.getTime() - Date.parse(record.created_at));
  return {
    created_at: record.created_at,
    enqueued_at: record.enqueued_at,
    id: record.id,
    is_failed: record.status === "failed",
    status: record.status,
    result: compileResult(record, args.baseUrl),
    ...(terminal ? { is_finished: record.status === "finished", is_queued: false, is_started: true } : {}),
    stage: record.stage,
    attempts: record.attempts,
    queue_position: record.status === "queued" ? args.queuePosition : null,
    age_seconds: Math.round(ageMs / 100) / 10,
    cached: record.cache_hit_of !== null,
    failure_reason: record.failure_reason,
    firmware_version: record.firmware_version,
  };
}
