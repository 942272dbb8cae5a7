// `npm start`: the whole system on this machine. Starts the edge API in workerd (wrangler dev), one build
// agent on the demo firmware tree, compiles the example keymap with the CLI, prints where the firmware is,
// and keeps serving until Ctrl-C, then stops everything it started.
//
// Stopping (docs/architecture.md, "npm start"): SIGINT, SIGTERM and SIGHUP (a closed terminal) alike send SIGTERM
// to each child's process group, the agent's first, wait for each group to empty (the agent hands back its jobs),
// SIGKILL what is left after STOP_GRACE_MS, and exit. Should this process's own parent go away (bootstrap.mjs
// killed), it stops the same way; should this process be SIGKILLed, the agent and the API's dev.ts notice by
// themselves (their parent changes). A write to a closed terminal never throws here either.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const port = Number(process.env.PORT ?? 8787);
const api = `http://127.0.0.1:${port}`;
const token = process.env.AGENT_TOKEN ?? "qmk-edge-local-agent-token";
// QMK_EDGE_WORK moves everything npm start keeps (API state, agent work dir, logs, firmware); tests use it.
const work = process.env.QMK_EDGE_WORK ?? join(root, ".work");
const out = join(work, "firmware");
const example = join(root, "firmware/demo-tree/keyboards/handwired/edge_pad/keymaps/default/keymap.json");
const logs = join(work, "logs");
const children: ChildProcess[] = [];
// Each child's end (exited, its output read) and each log file's, so nothing it said last is lost at exit.
const ends: Array<Promise<unknown>> = [];
const logFiles: WriteStream[] = [];
let stopping = false;
// The agent's own --shutdown-grace is shorter, so it releases its job before this runs out.
const STOP_GRACE_MS = 15_000;
const AGENT_GRACE = "5s";

// Nothing to do about a terminal that went away but not to throw (and not to try again).
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
const say = (msg: string) => {
  if (process.stdout.writable) process.stdout.write(`[qmk-edge] ${msg}\n`);
};

// Each service logs to .work/logs/<name>.log; with `echo` its lines also show here, prefixed.
function start(name: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; echo: boolean }) {
  const log = createWriteStream(join(logs, `${name}.log`), { flags: "a" });
  logFiles.push(log);
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...opts.env }, detached: true });
  ends.push(new Promise((resolve) => child.once("close", resolve)));
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => `  ${name} | ${line}\n`)
      .join("");
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (c: Buffer) => {
      log.write(c);
      if (opts.echo && process.stdout.writable) process.stdout.write(prefix(c));
    });
  }
  child.on("exit", (code, signal) => {
    if (!stopping) say(`${name} exited (${signal ?? code}); its log: ${join(logs, `${name}.log`)}`);
  });
  children.push(child);
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

// Last started, first stopped: the agent hands its jobs back and says goodbye while the API still listens.
// Each group gets SIGTERM and the time left until one shared deadline to empty (zombies count until reaped);
// whatever is left then is SIGKILLed.
async function stopAll(): Promise<void> {
  const until = Date.now() + STOP_GRACE_MS;
  for (const child of [...children].reverse()) {
    signalGroup(child, "SIGTERM");
    while (signalGroup(child, 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  }
  for (const child of children) signalGroup(child, "SIGKILL");
}

// Once: the same signal often comes twice (to the terminal's whole group, and passed on by bootstrap.mjs).
async function stop(why: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`stopping (${why}) ...`);
  await stopAll();
  const settled = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 2000))]);
  await settled(Promise.all(ends));
  await settled(Promise.all(logFiles.map((log) => new Promise((r) => log.end(r)))));
  process.exit(code);
}

async function waitForApi(deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(`${api}/v1/healthcheck`);
      if (res.ok || res.status === 503) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the edge API did not answer on ${api} within ${deadlineMs / 1000} s`);
}

// Runs a command to its end with its output shown as it comes; resolves with its exit code and stderr.
function runToEnd(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    // Its own group too, so a signal stops it with the rest.
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "pipe"], detached: true });
    children.push(child);
    ends.push(new Promise((r) => child.once("close", r)));
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      if (process.stderr.writable) process.stderr.write(c);
    });
    child.on("exit", (code) => resolve({ code: code ?? 1, stderr }));
  });
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  mkdirSync(logs, { recursive: true });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(signal, () => void stop(signal, 0));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop("its parent process exited", 0);
  }, 1000).unref();

  say(`starting the edge API in workerd on ${api} (state in ${join(work, "edge-state")}) ...`);
  // dev.ts itself (not through pnpm): it stops wrangler when its parent, this process, is gone.
  start("edge-api", process.execPath, ["apps/edge-api/scripts/dev.ts"], {
    // wrangler's registry of local dev sessions lives in its config dir: one per work dir, or two `npm start`s
    // side by side (tests) bind the same internal socket.
    env: {
      PORT: String(port),
      XDG_CONFIG_HOME: join(work, "xdg"),
      WRANGLER_LOG_PATH: join(work, "wrangler-logs"),
    },
    echo: false,
  });
  await waitForApi(60_000);
  say("starting a build agent on firmware/demo-tree ...");
  start(
    "agent",
    process.execPath,
    [
      "apps/build-agent/src/main.ts",
      "--api",
      api,
      "--token",
      token,
      "--tree",
      "firmware/demo-tree",
      "--work-dir",
      join(work, "agent"),
      "--shutdown-grace",
      AGENT_GRACE,
      "--stop-with-parent",
    ],
    { echo: true },
  );

  say(`compiling ${example.slice(root.length + 1)} ...`);
  const { code, stderr } = await runToEnd(process.execPath, [
    "apps/cli/src/main.ts",
    "compile",
    example,
    "--api",
    api,
    "--out",
    out,
    "--source",
  ]);
  if (code !== 0) {
    say(`the demo compile failed (exit ${code}); the services keep running so you can look around.`);
  }
  const job = /job ([0-9a-f]{32}) submitted/.exec(stderr)?.[1] ?? "<job_id>";
  say(`the edge API serves ${api}; logs are in ${logs}. Try:
    curl ${api}/v1/healthcheck
    curl ${api}/v1/compile/${job}
    curl -OJ ${api}/v1/compile/${job}/download
    curl -X POST -H 'content-type: application/json' --data @${example.slice(root.length + 1)} ${api}/v1/compile
    npm run -s qmk-edge -- compile <your-keymap.json> --api ${api}
  Press Ctrl-C to stop.`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[qmk-edge] ${err instanceof Error ? err.message : String(err)}\n`);
  void stop("failed", 1);
});
