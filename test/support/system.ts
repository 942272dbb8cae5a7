// The whole system as real processes on loopback: the edge API in workerd (wrangler dev) and build agents
// on the demo tree. Started through test/servers/daemon.ts and stopped by PID.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serviceStatus } from "@qmk-edge/schema";
import {
  type Daemon,
  freePort,
  makeTempDir,
  portIsFree,
  removeDir,
  startDaemon,
  waitUntil,
} from "../servers/daemon.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEMO_TREE = join(REPO_ROOT, "firmware", "demo-tree");
export const LOCAL_AGENT_TOKEN = "qmk-edge-local-agent-token";
export const LOCAL_OPERATOR_TOKEN = "qmk-edge-local-operator-token";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const WRANGLER = join(REPO_ROOT, "apps", "edge-api", "node_modules", ".bin", "wrangler");

export interface EdgeApi {
  url: string;
  port: number;
  daemon: Daemon;
  stop(): Promise<void>;
}

// `vars` override wrangler.jsonc's (e.g. a short LEASE_SECONDS for fault tests) and the local token hashes,
// which wrangler.jsonc never holds (they are secrets; `npm run dev:edge` reads them from .dev.vars). `port` reuses a port,
// so a restarted API keeps its address; `persistDir` keeps R2/Queue/Durable Object state across restarts.
export async function startEdgeApi(args: {
  persistDir: string;
  logFile: string;
  port?: number;
  vars?: Record<string, string>;
}): Promise<EdgeApi> {
  if (!existsSync(WRANGLER))
    throw new Error(`wrangler is not installed at ${WRANGLER}; run npm test from the repo root`);
  const port = args.port ?? (await freePort());
  // A port reused after a stop (a restart on the same address): the stopped server's processes are killed,
  // but the kernel frees their socket only once they are gone, which a busy machine takes a moment to do.
  if (args.port !== undefined)
    await waitUntil(`127.0.0.1:${port} free for the restarted API`, () => portIsFree(port), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  const tokens = {
    AGENT_TOKEN_HASHES: sha256(LOCAL_AGENT_TOKEN),
    OPERATOR_TOKEN_HASHES: sha256(LOCAL_OPERATOR_TOKEN),
  };
  const vars = Object.entries({ ...tokens, ...args.vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  // wrangler's own config and logs beside the test's log, not in the user's home.
  const home = join(dirname(args.logFile), "wrangler-home");
  const daemon = startDaemon({
    command: WRANGLER,
    args: [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      // Its devtools proxy listens too (9229 or the next free port unless told): wrangler picks it before it
      // binds it, so two started side by side, or one restarted, can pick the same and fail (EADDRINUSE).
      "--inspector-port",
      String(await freePort()),
      "--persist-to",
      args.persistDir,
      "--show-interactive-dev-session=false",
      ...vars,
    ],
    cwd: join(REPO_ROOT, "apps", "edge-api"),
    logFile: args.logFile,
    env: {
      ...process.env,
      // This process's Node (22) first on PATH: wrangler needs it.
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
      // Nothing phones home: no metrics, no update check (it rides on the banner), no Request.cf download.
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_HIDE_BANNER: "true",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      XDG_CONFIG_HOME: join(home, "xdg"),
      WRANGLER_LOG_PATH: join(home, "logs"),
      CI: "true",
      NO_COLOR: "1",
    },
  });
  const url = `http://127.0.0.1:${port}`;
  // Ready once GET /v1 answers a service status: the Worker runs and reaches its Durable Object.
  await waitUntil(
    "wrangler dev serving GET /v1",
    async () => {
      const res = await fetch(`${url}/v1`, { signal: AbortSignal.timeout(5000) });
      return res.status === 200 && serviceStatus.safeParse(await res.json()).success;
    },
    { timeoutMs: 90_000, intervalMs: 250, gone: daemon.exited, describe: () => daemon.logTail(40) },
  );
  return { url, port, daemon, stop: () => daemon.stop(10_000) };
}

export interface Agent {
  daemon: Daemon;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export function startAgent(args: {
  api: string;
  workDir: string;
  logFile: string;
  agentId: string;
  tree?: string;
  // JSON lines unless told; "human" for tests of the human log format.
  logFormat?: "json" | "human";
  extra?: string[];
  // Node flags before the script (e.g. --import of a test's preload).
  nodeArgs?: string[];
  // Runs the agent under `ulimit -n` of this many open files, as a small host would.
  openFilesLimit?: number;
  env?: Record<string, string>;
  // Default-keymap builds while idle (on in production); off unless a test is about them, so idle-time
  // builds never mix into what other tests count and time.
  buildHealth?: boolean;
  // stderr on a pipe the test reads (daemon.stderr) instead of in the log file.
  stderrPipe?: boolean;
}): Agent {
  const node = [process.execPath, ...(args.nodeArgs ?? [])];
  const limit = args.openFilesLimit;
  const [command, ...prefix] =
    limit === undefined ? node : ["bash", "-c", `ulimit -n ${limit} && exec "$0" "$@"`, ...node];
  const daemon = startDaemon({
    command: command!,
    args: [
      ...prefix,
      join(REPO_ROOT, "apps", "build-agent", "src", "main.ts"),
      "--api",
      args.api,
      "--tree",
      args.tree ?? DEMO_TREE,
      "--work-dir",
      args.workDir,
      "--agent-id",
      args.agentId,
      "--log-format",
      args.logFormat ?? "json",
      ...(args.buildHealth ? [] : ["--no-build-health"]),
      ...(args.extra ?? []),
    ],
    cwd: REPO_ROOT,
    logFile: args.logFile,
    env: { ...process.env, QMK_EDGE_AGENT_TOKEN: LOCAL_AGENT_TOKEN, ...args.env },
    stderrPipe: args.stderrPipe,
  });
  return { daemon, stop: () => daemon.stop(30_000), kill: () => daemon.kill() };
}

export interface LocalSystem {
  api: EdgeApi;
  agent: Agent;
  // Scratch dir holding the API state, the agent's work dir and both logs (api.log, agent.log).
  dir: string;
  stop(): Promise<void>;
}

// An edge API with one agent on the demo tree, in a fresh scratch dir; stop() ends both and removes it.
// The rate limit is lifted: these clients are tests, not abusers.
export async function startSystem(name: string, vars: Record<string, string> = {}): Promise<LocalSystem> {
  const dir = makeTempDir(name);
  const api = await startEdgeApi({
    persistDir: join(dir, "state"),
    logFile: join(dir, "api.log"),
    vars: { RATE_LIMIT_PER_MINUTE: "100000000", ...vars },
  });
  const agent = startAgent({
    api: api.url,
    workDir: join(dir, "agent"),
    logFile: join(dir, "agent.log"),
    agentId: name,
  });
  return {
    api,
    agent,
    dir,
    stop: async () => {
      await agent.stop();
      await api.stop();
      removeDir(dir);
    },
  };
}
