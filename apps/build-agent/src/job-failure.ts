// A job that ends as `failed` for a reason its user should read (bad keyboard, compiler error, timeout).
// Anything else thrown while building is a bug in the agent or its host, reported the same way but logged.

// make never ran: the request was refused before anything was written to the tree.
export const RETURNCODE_NOT_BUILT = -1;

export class JobFailure extends Error {
  override name = "JobFailure";
  readonly returncode: number;
  readonly output: string;

  constructor(message: string, opts: { returncode?: number; output?: string } = {}) {
    super(message);
    this.returncode = opts.returncode ?? RETURNCODE_NOT_BUILT;
    this.output = opts.output ?? "";
  }
}

// gcc and clang: `<file>:<line>[:<col>]: [fatal ]error: <message>`; the linker: `undefined reference to`.
const COMPILER_ERROR = /^([^\s:][^:\n]*):(\d+)(?::(\d+))?: (?:fatal )?error: (.+)$/m;
const LINKER_ERROR = /undefined reference to [`'‘]?([^`'’\n]+)[`'’]?/;
const SUMMARY_LINES = 10;
const SUMMARY_CHARS = 2000;

// A path in the rendered log as its reader knows it: the job's own files by name (keymap.c), the tree's
// relative to its root (quantum/quantum.c).
function shownPath(path: string): string {
  if (path.startsWith("<work-dir>/")) return path.slice(path.lastIndexOf("/") + 1);
  return path.startsWith("<firmware-tree>/") ? path.slice("<firmware-tree>/".length) : path;
}

// What a failed job's output starts with (issue 18), before the build log: the first compiler error with its
// file and line, else the linker's, else why the agent stopped or refused. `log` is the rendered build log
// (the agent's paths already replaced).
export function failureSummary(failure: JobFailure, log: string): string {
  const text = summaryOf(failure, log);
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
}

function summaryOf(failure: JobFailure, log: string): string {
  const compiler = COMPILER_ERROR.exec(failure.output ? log : "");
  if (compiler) {
    const [, file, line, col, message] = compiler;
    return `Build failed at ${shownPath(file!)}:${line}${col ? `:${col}` : ""}: ${message!.trim()}`;
  }
  const linker = failure.output ? LINKER_ERROR.exec(log) : null;
  if (linker) return `Build failed when linking: undefined reference to ${linker[1]}`;
  const reason = failure.message.split("\n").slice(0, SUMMARY_LINES).join("\n");
  return failure.returncode === RETURNCODE_NOT_BUILT
    ? `Nothing was built: ${reason}`
    : `Build failed: ${reason}`;
}
