// The one place tests spawn server processes: each daemon runs in its own process group, logs to a file, and
// is stopped by its PID (the whole group, so helpers it forked go too). A test process that dies mid-run still
// kills what it started, through the exit hook below.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";

export interface Daemon {
  readonly pid: number;
  readonly logFile: string;
  // The read end of the process's stderr when started with `stderrPipe`; otherwise stderr goes to the log file.
  readonly stderr: Readable | null;
  // Resolves with the exit code (or signal name) once the process has exited.
  readonly exited: Promise<number | string>;
  // SIGTERM, then SIGKILL after graceMs; resolves when the process is gone.
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
  logTail(lines?: number): string;
}

const running = new Set<ChildProcess>();
const KILL_WAIT_MS = 10_000;
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of running) signalGroup(child, "SIGKILL");
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
  }
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `qmk-edge-${prefix}-`));
}

// Without blocking the caller (a teardown hook): the dir is renamed aside at once, then a detached `rm -rf`
// removes it, and finishes even if this process exits first. A tree of 50,000 files took a synchronous rmSync
// past a 120 s hook timeout on a busy machine. Where the rename fails (the dir is already gone), nothing is left.
export function removeDir(dir: string): void {
  const aside = `${dir}.removing-${process.pid}`;
  try {
    renameSync(dir, aside);
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const rm = spawn("rm", ["-rf", aside], { detached: true, stdio: "ignore" });
  rm.on("error", () => rmSync(aside, { recursive: true, force: true }));
  rm.unref();
}

// Listens on `port` of 127.0.0.1 (0: any) and closes at once: the port it got, or null when it was taken.
async function listenOnce(port: number): Promise<number | null> {
  return await new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const got = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(got));
    });
  });
}

// A port the kernel just handed out on 127.0.0.1; the daemon binds it a moment later.
export async function freePort(): Promise<number> {
  const port = await listenOnce(0);
  if (port === null) throw new Error("no free port on 127.0.0.1");
  return port;
}

// Whether `port` on 127.0.0.1 can be listened on now.
export async function portIsFree(port: number): Promise<boolean> {
  return (await listenOnce(port)) !== null;
}

export function startDaemon(args: {
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stderrPipe?: boolean;
}): Daemon {
  installExitHook();
  const out = openSync(args.logFile, "a");
  const child = spawn(args.command, args.args, {
    cwd: args.cwd,
    env: args.env ?? process.env,
    stdio: ["ignore", out, args.stderrPipe ? "pipe" : out],
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`could not start ${args.command}`);
  const pid = child.pid;
  running.add(child);
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
    child.once("error", () => {
      running.delete(child);
      resolve("spawn-error");
    });
  });

  // Bounded however busy the machine: SIGKILL after graceMs, and a process that still has not been reaped
  // KILL_WAIT_MS after that is left to the exit hook rather than holding a teardown hook.
  const stop = async (graceMs = 5000) => {
    if (!running.has(child)) return;
    signalGroup(child, "SIGTERM");
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (waited = setTimeout(r, graceMs + KILL_WAIT_MS)))]);
    clearTimeout(timer);
    clearTimeout(waited);
    // Children that outlived the leader (same group) go too.
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // group already empty
    }
  };
  return {
    pid,
    logFile: args.logFile,
    stderr: child.stderr,
    exited,
    stop,
    kill: () => stop(0),
    logTail: (lines = 30) => tailOf(args.logFile, lines),
  };
}

export function tailOf(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

// Polls `ready` until it returns true; fails with `describe()` (a log tail) when time runs out or `gone` fires.
export async function waitUntil(
  what: string,
  ready: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; gone?: Promise<unknown>; describe?: () => string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let exited = false;
  void options.gone?.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    if (exited) break;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
  const why = exited ? "the process exited" : `not ready after ${options.timeoutMs} ms`;
  throw new Error(`${what}: ${why}\n${options.describe?.() ?? ""}`);
}
