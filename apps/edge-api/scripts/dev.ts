// `npm run -s dev:edge` (repo root): the edge API in workerd via `wrangler dev`, on 127.0.0.1:8787 (PORT overrides),
// with its local R2 / Queue / Durable Object state under <repo>/.work/edge-state. No Cloudflare account, no network.
// Local-only values (the documented local tokens) go to .dev.vars, which only `wrangler dev` reads.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDevVars } from "./dev-vars.ts";

const app = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(dirname(app));
const state = join(repo, ".work", "edge-state");
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

const child = spawn(
  join(app, "node_modules", ".bin", "wrangler"),
  ["dev", "--ip", "127.0.0.1", "--port", port, "--persist-to", state, "--show-interactive-dev-session=false"],
  { cwd: app, env, stdio: "inherit" },
);

for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
