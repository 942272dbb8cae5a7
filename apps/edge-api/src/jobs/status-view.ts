import {
  type ArtifactKind,
  type CompileResult,
  type CompileStatus,
  type JobRecord,
  keymapArchiveName,
  sourceArchiveName,
} from "@qmk-edge/schema";
import { isTerminal } from "./lifecycle.ts";
import { renameNotes } from "./rename-notes.ts";
import { servableArtifact } from "./servable-artifact.ts";

// 127.0.0.0/8, ::1 and localhost: names only this machine answers to, so a client naming one is local.
function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

// Base of absolute URLs: the configured public URL. Without one, the origin the client used only when it is a
// loopback address (local development, tests); any other Host header is the client's word, and a link built
// from it could point anyone who follows it elsewhere, so the links then say http://localhost (set
// PUBLIC_BASE_URL in a deployment).
export function publicBaseUrl(requestUrl: string, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, "");
  // The answer depends on the URL's scheme and authority only, so it is kept per authority (a status poll
  // parsed the whole URL each time): the text before the first "/", "\\", "?" or "#" after "http(s)://", where
  // an http(s) URL's authority ends. Bounded: the Host header is the client's to choose.
  const scheme = requestUrl.startsWith("http://") ? 7 : requestUrl.startsWith("https://") ? 8 : 0;
  if (scheme === 0) return baseOf(new URL(requestUrl));
  const end = requestUrl.slice(scheme).search(/[/\\?#]/);
  const authority = end < 0 ? requestUrl : requestUrl.slice(0, scheme + end);
  let base = baseByAuthority.get(authority);
  if (base === undefined) {
    base = baseOf(new URL(requestUrl));
    if (baseByAuthority.size >= BASES_KEPT) baseByAuthority.clear();
    baseByAuthority.set(authority, base);
  }
  return base;
}

const baseOf = (url: URL) => (isLoopback(url.hostname) ? url.origin : "http://localhost");
const BASES_KEPT = 64;
const baseByAuthority = new Map<string, string>();

export const artifactUrl = (
  base: string,
  id: string,
  route: "download" | "keymap" | "source" | "log" | "tree",
) => `${base}/v1/compile/${id}/${route}`;

const link = (
  record: JobRecord,
  base: string,
  kind: ArtifactKind,
  route: Parameters<typeof artifactUrl>[2],
) => (servableArtifact(record, kind) ? [artifactUrl(base, record.id, route)] : []);

const PURGED_MESSAGE =
  "the operator withdrew trust in the agent that built this firmware after it was served: do not flash it; " +
  "submit the keymap again for a fresh build";

// qmk_compiler's return code for a job that failed inside the service (no build result to show).
const RETURNCODE_INTERNAL = -3;

function compileResult(record: JobRecord, base: string): CompileResult | null {
  if (!record.result && record.status !== "failed") return null;
  const { request } = record;
  const result = record.result ?? {
    returncode: RETURNCODE_INTERNAL,
    // A line, as make's output ends: Configurator appends its next message right after it.
    output: `${record.failure_reason ?? "the job failed inside the compile service"}\n`,
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
    // The build log tail, as qmk_api's `output`, after the renames the API made (rename-notes.ts); a
    // keyboard known not to build (build health) says so first.
    output:
      (record.build_health_note ? `${record.build_health_note}\n\n` : "") +
      renameNotes(record.keycode_translations) +
      result.output,
    firmware: null,
    firmware_filename: result.firmware_filename ?? record.artifacts.firmware?.filename ?? null,
    keymap_archive: keymapArchiveName(request),
    source_archive: sourceArchiveName(request),
    // Only links that answer: a failed job lists no firmware, and nothing the agent did not upload.
    firmware_binary_url: link(record, base, "firmware", "download"),
    firmware_keymap_url: link(record, base, "keymap", "keymap"),
    firmware_source_url: link(record, base, "source", "source"),
    // qmk-edge addition: the whole tree the source zip goes over, when the agent uploaded it.
    ...(servableArtifact(record, "tree") ? { source_tree_url: link(record, base, "tree", "tree") } : {}),
  };
}

const ageSeconds = (createdMs: number, now: Date) =>
  Math.round(Math.max(0, now.getTime() - createdMs) / 100) / 10;

// GET /v1/compile/:id. qmk_api's fields first, then ours. Nothing about the client (no IP) is in the record.
export function compileStatusOf(
  record: JobRecord,
  args: { baseUrl: string; now: Date; queuePosition: number | null },
): CompileStatus {
  const terminal = isTerminal(record);
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
    age_seconds: ageSeconds(Date.parse(record.created_at), args.now),
    cached: record.cache_hit_of !== null,
    failure_reason: record.failure_reason,
    firmware_version: record.firmware_version,
    verified: record.status === "finished" ? record.verified !== false : null,
    built_by: record.built_by ? { agent_id: record.built_by.agent_id, trust: record.built_by.trust } : null,
    ...(record.keycode_translations?.length ? { keycode_translations: record.keycode_translations } : {}),
    ...(record.refusal ? { refusal: record.refusal } : {}),
    ...(record.purged ? { purged: { at: record.purged.at, message: PURGED_MESSAGE } } : {}),
  };
}

// The status answer as JSON text: JSON.stringify(compileStatusOf(...)), byte for byte. Of its fields only
// age_seconds moves between two polls of one record object (records are never changed in place: a change is a
// new object), so the text around it is kept per record (for its base URL and queue position) and a poll of a
// settled or unchanged record (the store's memos hand back the same object) builds no view and serializes
// nothing. The first `"age_seconds":` of the text is the view's own: every key before it is fixed and a string
// value's quotes are escaped.
interface StatusText {
  baseUrl: string;
  queuePosition: number | null;
  createdMs: number;
  head: string;
  tail: string;
}
const statusTexts = new WeakMap<JobRecord, StatusText>();
const AGE_KEY = '"age_seconds":';

export function compileStatusText(
  record: JobRecord,
  args: { baseUrl: string; now: Date; queuePosition: number | null },
): string {
  let kept = statusTexts.get(record);
  if (!kept || kept.baseUrl !== args.baseUrl || kept.queuePosition !== args.queuePosition) {
    const view = compileStatusOf(record, args);
    const text = JSON.stringify(view);
    const at = text.indexOf(AGE_KEY) + AGE_KEY.length;
    kept = {
      baseUrl: args.baseUrl,
      queuePosition: args.queuePosition,
      createdMs: Date.parse(record.created_at),
      head: text.slice(0, at),
      tail: text.slice(at + JSON.stringify(view.age_seconds).length),
    };
    statusTexts.set(record, kept);
    return text;
  }
  return kept.head + JSON.stringify(ageSeconds(kept.createdMs, args.now)) + kept.tail;
}
