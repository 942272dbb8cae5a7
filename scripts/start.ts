// `npm start`: the whole system on this machine. Starts the edge API in workerd (wrangler dev), one build
// agent on the demo firmware tree, compiles the example keymap with the CLI, prints where the firmware is,
// and keeps serving until Ctrl-C, then stops everything it started.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const port = Number(process.env.PORT ?? 8787);
const api = `http://127.0.0.1:${port}`;
const token = process.env.AGENT_TOKEN ?? "qmk-edge-local-agent-token";
const work = join(root, ".work");
const out = join(work, "firmware");
const example = join(root, "firmware/demo-tree/keyboards/handwired/edge_pad/keymaps/default/keymap.json");
const logs = join(work, "logs");
const children: ChildProcess[] = [];
let stopping = false;

const say = (msg: string) => process.stdout.write(`[qmk-edge] ${msg}\n`);

// Each service logs to .work/logs/<name>.log; with `echo` its lines also show here, prefixed.
function start(name: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; echo: boolean }) {
  const log = createWriteStream(join(logs, `${name}.log`), { flags: "a" });
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...opts.env }, detached: true });
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
      if (opts.echo) process.stdout.write(prefix(c));
    });
  }
  child.on("exit", (code, signal) => {
    if (!stopping) say(`${name} exited (${signal ?? code}); its log: ${join(logs, `${name}.log`)}`);
  });
  children.push(child);
  return child;
}

function stopAll(): void {
  stopping = true;
  for (const child of children) {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
    }
  }
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
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      process.stderr.write(c);
    });
    child.on("exit", (code) => resolve({ code: code ?? 1, stderr }));
  });
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  mkdirSync(logs, { recursive: true });
  process.on("SIGINT", () => {
    say("stopping ...");
    stopAll();
    process.exit(0);
  });
  process.on("SIGTERM", () => {
    stopAll();
    process.exit(0);
  });

  say(`starting the edge API in workerd on ${api} (state in .work/edge-state) ...`);
  start("edge-api", "pnpm", ["--filter", "@qmk-edge/edge-api", "run", "-s", "dev"], {
    env: { PORT: String(port) },
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
  stopAll();
  process.exit(1);
});
