import { mkdir } from "node:fs/promises";
import { constants as osConstants } from "node:os";
import { delimiter } from "node:path";
import { execa } from "execa";

// The one place that spawns `make`. A build gets a scrubbed environment (no agent token, no proxy
// settings), its own process group that is killed whole at the wall-clock timeout, a capped log, and no
// network where the OS allows it.

export interface MakeSandbox {
  // Directory of ccache symlinks put first on PATH, or null to compile without ccache.
  ccacheBin: string | null;
  ccacheDir: string | null;
  // Command prefix that drops the network (e.g. ["unshare", "-n"]), or [] when unavailable.
  isolate: string[];
  // PATH the compilers (and a real tree's `qmk` CLI) are found on, without the ccache dir.
  path: string;
  // Further variables builds need, e.g. PYTHONUSERBASE for a `pip install --user` qmk CLI.
  env: Record<string, string>;
}

export interface MakeRun {
  tree: string; // make's working dir
  makefile: string; // relative to the tree, e.g. builddefs/build_keyboard.mk
  vars: Record<string, string>; // make variables, e.g. KEYBOARD, BUILD_DIR
  jobs: number;
  home: string; // HOME (and TMPDIR) of the build: a per-job dir, so nothing leaks between builds
  timeoutMs: number;
  maxLogBytes: number;
  sandbox: MakeSandbox;
  signal?: AbortSignal; // aborting kills the build like a timeout does
  killGraceMs?: number; // SIGTERM -> SIGKILL delay
}

export interface MakeResult {
  returncode: number;
  output: string;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  argv: string[];
}

export async function runMake(run: MakeRun): Promise<MakeResult> {
  // -r -R: no built-in rules or variables, as QMK's own make calls run its makefiles.
  const args = [
    "-r",
    "-R",
    `-j${run.jobs}`,
    "-f",
    run.makefile,
    ...Object.entries(run.vars).map(([k, v]) => `${k}=${v}`),
  ];
  const argv = [...run.sandbox.isolate, "make", ...args];
  const env: Record<string, string> = {
    PATH: run.sandbox.ccacheBin
      ? `${run.sandbox.ccacheBin}${delimiter}${run.sandbox.path}`
      : run.sandbox.path,
    HOME: run.home,
    TMPDIR: run.home,
    LANG: "C",
    LC_ALL: "C",
    // The qmk CLI finds its qmk_firmware here rather than under HOME (a real tree's make calls it).
    QMK_HOME: run.tree,
    ...run.sandbox.env,
  };
  if (run.sandbox.ccacheBin && run.sandbox.ccacheDir) {
    env.CCACHE_DIR = run.sandbox.ccacheDir;
    // Paths under the tree hash as relative ones, so the same object hits from any job's build.
    env.CCACHE_BASEDIR = run.tree;
    env.CCACHE_NOHASHDIR = "1";
  }
  await mkdir(run.home, { recursive: true });

  const log = new CappedLog(run.maxLogBytes);
  const started = performance.now();
  const child = execa(argv[0]!, argv.slice(1), {
    cwd: run.tree,
    env,
    extendEnv: false,
    detached: true, // own process group, so a kill reaches every compiler make started
    stdin: "ignore",
    all: true,
    buffer: false,
    reject: false,
    stripFinalNewline: false,
  });

  let timedOut = false;
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const killGroup = () => {
    signalGroup(child.pid, "SIGTERM");
    killTimer ??= setTimeout(() => signalGroup(child.pid, "SIGKILL"), run.killGraceMs ?? 5000);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, run.timeoutMs);
  const onAbort = () => {
    aborted = true;
    killGroup();
  };
  if (run.signal?.aborted) onAbort();
  run.signal?.addEventListener("abort", onAbort, { once: true });

  child.all?.on("data", (chunk: Buffer) => log.push(chunk));
  const result = await child;
  clearTimeout(timer);
  clearTimeout(killTimer);
  run.signal?.removeEventListener("abort", onAbort);
  // Whatever make left behind in its group (a stuck compiler) goes too.
  signalGroup(child.pid, "SIGKILL");

  const durationMs = Math.round(performance.now() - started);
  let output = log.text();
  if (result.failed && result.exitCode === undefined && !result.signal && !timedOut && !aborted) {
    output += `\n[qmk-edge-agent] could not run ${argv.join(" ")}: ${result.shortMessage}\n`;
  }
  if (timedOut) output += `\n[qmk-edge-agent] build killed after the ${run.timeoutMs}ms timeout\n`;
  const sig = result.signal ? osConstants.signals[result.signal] : undefined;
  const returncode = result.exitCode ?? (sig !== undefined ? 128 + sig : 127);
  return { returncode, output, durationMs, timedOut, aborted, argv };
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // The group is already gone.
  }
}

// Keeps the first and the last half of the output and says how much was cut in between.
export class CappedLog {
  readonly #max: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(maxBytes: number) {
    this.#max = maxBytes;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    const headRoom = Math.floor(this.#max / 2) - this.#headBytes;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.#head.push(part);
      this.#headBytes += part.length;
      chunk = chunk.subarray(part.length);
      if (chunk.length === 0) return;
    }
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    const tailMax = this.#max - Math.floor(this.#max / 2);
    while (this.#tailBytes - (this.#tail[0]?.length ?? 0) >= tailMax) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  text(): string {
    const tailMax = this.#max - Math.floor(this.#max / 2);
    const tail = Buffer.concat(this.#tail);
    const keptTail = tail.subarray(Math.max(0, tail.length - tailMax));
    const cut = this.#total - this.#headBytes - keptTail.length;
    const head = Buffer.concat(this.#head).toString("utf8");
    if (cut <= 0) return head + keptTail.toString("utf8");
    return `${head}\n[qmk-edge-agent: ${cut} bytes of output cut here; ${this.#total} in all, max-log-bytes is ${this.#max}]\n${keptTail.toString("utf8")}`;
  }
}
