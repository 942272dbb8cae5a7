// `npm start`: the whole system on this machine. Starts the edge API in workerd (wrangler dev), one build
// agent on the demo firmware tree, compiles the example keymap with the CLI, prints where the firmware is,
// and keeps serving until Ctrl-C, then stops everything it started.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const port = Number(process.env.PORT ?? 8787);
const api = `http://127.0.0.1:${port}`;
const token = process.env.AGENT_TOKEN ?? "qmk-edge-local-agent-token";
const work = join(root, ".work");
const out = join(work, "firmware");
const example = join(root, "firmware/demo-tree/keyboards/handwired/edge_pad/keymaps/default/keymap.json");
const children: ChildProcess[] = [];

const say = (msg: string) => process.stdout.write(`[qmk-edge] ${msg}\n`);

function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, detached: true });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => `  ${name} | ${line}\n`)
      .join("");
  child.stdout?.on("data", (c: Buffer) => process.stdout.write(prefix(c)));
  child.stderr?.on("data", (c: Buffer) => process.stderr.write(prefix(c)));
  children.push(child);
  return child;
}

function stopAll(): void {
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

function runToEnd(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: "inherit" });
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
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
  start("edge-api", "pnpm", ["--filter", "@qmk-edge/edge-api", "run", "-s", "dev"], { PORT: String(port) });
  await waitForApi(60_000);
  say("starting a build agent on firmware/demo-tree ...");
  start("agent", process.execPath, [
    "apps/build-agent/src/main.ts",
    "--api",
    api,
    "--token",
    token,
    "--tree",
    "firmware/demo-tree",
    "--work-dir",
    join(work, "agent"),
  ]);

  say(`compiling ${example.slice(root.length + 1)} ...`);
  const code = await runToEnd(process.execPath, [
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
  say(`try:
    curl ${api}/v1/healthcheck
    curl -X POST -H 'content-type: application/json' --data @${example.slice(root.length + 1)} ${api}/v1/compile
    curl ${api}/v1/compile/<job_id>
    curl -OJ ${api}/v1/compile/<job_id>/download
    npm run -s qmk-edge -- compile <your-keymap.json> --api ${api}
  Press Ctrl-C to stop.`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[qmk-edge] ${err instanceof Error ? err.message : String(err)}\n`);
  stopAll();
  process.exit(1);
});
