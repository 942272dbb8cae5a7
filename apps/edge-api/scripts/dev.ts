// `npm run -s dev:edge` (repo root): the edge API in workerd via `wrangler dev`, on 127.0.0.1:8787 (PORT overrides),
// with its local R2 / Queue / Durable Object state under <repo>/.work/edge-state. No Cloudflare account, no network.
// Local-only values (the documented local tokens) go to .dev.vars, which only `wrangler dev` reads.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sharedEnv } from "../src/config/env-schema.ts";
import { ensureDevVars } from "./dev-vars.ts";

const app = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(dirname(app));
// QMK_EDGE_WORK: where `npm start` keeps its state (scripts/start.ts), <repo>/.work unless told.
const state = join(process.env.QMK_EDGE_WORK ?? join(repo, ".work"), "edge-state");
const port = process.env.PORT ?? "8787";
mkdirSync(state, { recursive: true });
const added = ensureDevVars(join(app, ".dev.vars"));
if (added.length > 0)
  process.stderr.write(`[qmk-edge] local ${added.join(", ")} written to apps/edge-api/.dev.vars\n`);

const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? join(repo, ".work", "xdg"),
  WRANGLER_LOG_PATH: process.env.WRANGLER_LOG_PATH ?? join(repo, ".work", "wrangler-logs"),
  // Nothing phones home: no update check (it rides on the banner), no download of the Request.cf placeholder.
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  // No browser, no interactive hotkeys: this also runs under npm start and in tests.
  CI: process.env.CI ?? "true",
};

// Settings of the shared environment schema given in this process's environment override wrangler.jsonc's
// vars (`NO_AGENT_WAIT_SECONDS=30 npm start`); tokens stay in .dev.vars (local) and secrets (deployed).
const overridable = Object.keys(sharedEnv.shape).filter((name) => !/TOKEN|SERVICE_VERSION/.test(name));
const vars = overridable.flatMap((name) =>
  process.env[name] === undefined ? [] : ["--var", `${name}:${process.env[name]}`],
);

// STATIC_DIR (a built QMK Configurator): the one-origin deployment, as README "One origin" configures it for
// a real Worker: Workers static assets with the ASSETS binding, the Worker first for /keymaps/*.
function oneOriginConfig(dir: string): string {
  const config = join(app, ".wrangler", "one-origin.jsonc");
  mkdirSync(dirname(config), { recursive: true });
  const text = readFileSync(join(app, "wrangler.jsonc"), "utf8").replace(
    '"main": "src/workers/main.ts",',
    `"main": "../src/workers/main.ts",\n  "assets": ${JSON.stringify({ directory: resolve(dir), binding: "ASSETS", run_worker_first: ["/keymaps/*"] })},`,
  );
  writeFileSync(config, text);
  return config;
}
const staticDir = process.env.STATIC_DIR;
// wrangler reads .dev.vars beside the config it is given; the one-origin config sits in .wrangler/.
const configArgs = staticDir
  ? ["--config", oneOriginConfig(staticDir), "--env-file", join(app, ".dev.vars")]
  : [];

const child = spawn(
  join(app, "node_modules", ".bin", "wrangler"),
  [
    "dev",
    ...configArgs,
    "--ip",
    "127.0.0.1",
    "--port",
    port,
    "--persist-to",
    state,
    "--show-interactive-dev-session=false",
    // wrangler looks for a free inspector port from 9229 at start; two started at once can pick the same one.
    ...(process.env.INSPECTOR_PORT ? ["--inspector-port", process.env.INSPECTOR_PORT] : []),
    ...vars,
  ],
  { cwd: app, env, stdio: "inherit" },
);

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
// Started by `npm start` (or pnpm) that was killed: stop wrangler rather than serve on as an orphan.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) child.kill("SIGTERM");
}, 1000).unref();
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
