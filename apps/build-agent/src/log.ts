// The agent's one logger: a human line per event, or one JSON object per line for log collectors.

export const LOG_FORMATS = ["human", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  // A logger that adds `fields` to every line (e.g. the job id).
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  format: LogFormat;
  level: LogLevel;
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(opts: LoggerOptions, bound: LogFields = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const now = opts.now ?? (() => new Date());
  const min = LOG_LEVELS.indexOf(opts.level);
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    const all = { ...bound, ...fields };
    const at = now().toISOString();
    if (opts.format === "json") {
      write(`${JSON.stringify({ time: at, level, msg, ...dropUndefined(all) })}\n`);
      return;
    }
    write(`${at} ${level.padEnd(5)} ${humanPrefix(all)}${msg}${humanFields(all)}\n`);
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => createLogger(opts, { ...bound, ...fields }),
  };
}

// A logger that drops everything; for tests and library callers that do not care.
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

// Durations read best in the unit a person would say: 850ms, 12.3s, 4m05s.
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s === 0 ? `${m}m` : `${m}m${String(s).padStart(2, "0")}s`;
}

function dropUndefined(fields: LogFields): LogFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

// Job and stage go first so a human can scan a column; everything else trails as key=value.
function humanPrefix(fields: LogFields): string {
  const job = typeof fields.job === "string" ? `job ${fields.job.slice(0, 8)} ` : "";
  const stage = typeof fields.stage === "string" ? `${fields.stage}: ` : "";
  return job + stage;
}

function humanFields(fields: LogFields): string {
  const rest = Object.entries(fields).filter(
    ([k, v]) => v !== undefined && k !== "job" && k !== "stage",
  ) as Array<[string, string | number | boolean | null]>;
  if (rest.length === 0) return "";
  return ` ${rest.map(([k, v]) => `${k}=${k.endsWith("_ms") && typeof v === "number" ? formatDuration(v) : quote(v)}`).join(" ")}`;
}

function quote(v: string | number | boolean | null): string {
  const s = String(v);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}
