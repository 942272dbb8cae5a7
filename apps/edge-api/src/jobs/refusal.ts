import {
  type CompileRequest,
  type FieldError,
  type JobRecord,
  keyboardName,
  keymapName,
  LIMITS,
  layoutName,
  type Refusal,
} from "@qmk-edge/schema";

// A compile request the API refuses, written as a job that failed at once (issue 18). QMK Configurator shows
// the server's words only for a job (`* Error:` and `result.output`), never for an error answer, so a
// browser's request is refused this way: one plain sentence a keyboard owner understands, then one line per
// field at fault. The rule of who gets this is in http/refusal-as-job.ts.

// qmk_compiler's returncodes are make's, or -3 for a job that failed inside the service; -4 is ours: the
// request was refused before anything was queued or built.
export const RETURNCODE_REFUSED = -4;

// Far below the record's output bound: a refusal is a few lines, and refusals must not fill the store.
const OUTPUT_MAX_CHARS = 8 * 1024;
const LINE_MAX_CHARS = 300;

export interface RefusalCause extends Refusal {
  // 429 only: when the client may compile again.
  retryAfterSeconds?: number;
}

function firstSentence(cause: RefusalCause, problems: number): string {
  switch (cause.code) {
    case 422:
      return problems > 0
        ? `This keymap was not compiled: ${problems === 1 ? "1 problem was" : `${problems} problems were`} found in it (below); fix ${problems === 1 ? "it" : "them"} and press Compile again.`
        : `This keymap was not compiled: ${cause.message}.`;
    case 400:
    case 415:
      return "This keymap was not compiled: the compile service could not read it as a QMK Configurator keymap (JSON).";
    case 413:
      return `This keymap was not compiled: it is larger than the compile service accepts (${LIMITS.bodyBytes / 1024} KiB).`;
    case 429:
      return `Too many compiles from your address: wait ${cause.retryAfterSeconds ?? 60} s and press Compile again.`;
    case 503:
      return "The compile service cannot take jobs right now (its queue or storage is not answering); nothing was compiled — try again in a minute.";
    default:
      return "The compile service failed on its side; nothing was compiled — try again later.";
  }
}

// Text from the request or from a message that quotes it, made safe to show: one line, printable, bounded.
function plain(text: string, max = LINE_MAX_CHARS): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const at = (value: unknown, key: string | number): unknown =>
  value !== null && typeof value === "object" ? (value as Record<string | number, unknown>)[key] : undefined;

// "layers.1.3" -> "layer 1, key 4 (KC_NOPE)": layers numbered as Configurator's layer tabs are (from 0), keys
// counted from 1 in the layout's order, and the keycode the request had there.
export function describeField(path: string, body: unknown): string {
  if (path === "") return "the keymap";
  const parts = path.split(".");
  if (parts[0] === "layers" && parts.length >= 2 && /^\d+$/.test(parts[1]!)) {
    const layer = Number(parts[1]);
    if (parts.length === 2) return `layer ${layer}`;
    if (/^\d+$/.test(parts[2]!)) {
      const key = Number(parts[2]);
      const keycode = at(at(at(body, "layers"), layer), key);
      const shown = typeof keycode === "string" && keycode !== "" ? ` (${plain(keycode, 64)})` : "";
      return `layer ${layer}, key ${key + 1}${shown}${parts.length > 3 ? ` ${parts.slice(3).join(".")}` : ""}`;
    }
  }
  return plain(path, 128);
}

export function refusalOutput(cause: RefusalCause, body: unknown): string {
  const errors = cause.errors ?? [];
  const lines = [firstSentence(cause, errors.length)];
  for (const e of errors) lines.push(`${describeField(e.path, body)}: ${plain(e.message)}`);
  const text = lines.join("\n");
  // Ends with a newline as make's output does: Configurator appends its next message right after it.
  return `${text.length > OUTPUT_MAX_CHARS ? `${text.slice(0, OUTPUT_MAX_CHARS - 2)}…` : text}\n`;
}

// The names the request gave, where they are valid, else placeholders; one placeholder key, never built.
function namesOf(body: unknown): CompileRequest {
  const pick = <T>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }, v: unknown, d: T) => {
    const parsed = schema.safeParse(v);
    return parsed.success ? (parsed.data as T) : d;
  };
  return {
    keyboard: pick(keyboardName, at(body, "keyboard"), "unknown"),
    keymap: pick(keymapName, at(body, "keymap"), "default"),
    layout: pick(layoutName, at(body, "layout"), "LAYOUT"),
    layers: [["KC_NO"]],
  };
}

// The failed job a refused request becomes. Bounded whatever the request held: names (validated), at most
// LIMITS.fieldErrors errors of bounded text, an output of at most 8 KiB.
export function refusedJobRecord(args: {
  id: string;
  now: string;
  firmwareVersion: string;
  // Any sha256: the record is never content-keyed or cached (jobs are found by id).
  contentKey: string;
  cause: RefusalCause;
  body: unknown;
}): JobRecord {
  const { id, now, cause } = args;
  const output = refusalOutput(cause, args.body);
  const errors: FieldError[] | undefined = cause.errors
    ?.slice(0, LIMITS.fieldErrors)
    .map((e) => ({ path: plain(e.path, 256), message: plain(e.message, 1024) }));
  const reason = plain(output.split("\n")[0]!, 1024);
  return {
    schema_version: 1,
    id,
    created_at: now,
    enqueued_at: now,
    started_at: null,
    finished_at: now,
    status: "failed",
    stage: null,
    attempts: 0,
    max_attempts: 1,
    lease: null,
    history: [{ at: now, status: "failed", stage: null, note: `refused before queueing (${cause.code})` }],
    request: namesOf(args.body),
    content_key: args.contentKey,
    firmware_version: args.firmwareVersion,
    toolchain: null,
    cache_hit_of: null,
    artifacts: {},
    result: {
      returncode: RETURNCODE_REFUSED,
      output,
      command: "",
      firmware_filename: null,
      toolchain: null,
      timings: {},
    },
    failure_reason: reason,
    refusal: { code: cause.code, message: plain(cause.message, 1024), ...(errors ? { errors } : {}) },
  };
}
