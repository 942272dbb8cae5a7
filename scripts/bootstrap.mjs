#!/usr/bin/env node
// Entry point of `npm start` / `npm test`. Runs on whatever Node the machine has (20 is enough), then
// provides what the project needs and is idempotent: Node 22 and pnpm from the npm registry into .tools/,
// workspace dependencies, and Debian packages when running as root. Plain JS so it needs no install itself.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureSystemPackages } from "./system-packages.mjs";
import { linkTool } from "./tool-link.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tools = join(root, ".tools");
const toolsBin = join(tools, "bin");
const NODE_VERSION = "22.23.3";
const PNPM_VERSION = "10.34.9";

const say = (msg) => process.stderr.write(`[qmk-edge] ${msg}\n`);

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

function mustRun(cmd, args, opts) {
  const code = run(cmd, args, opts);
  if (code !== 0) {
    say(`failed (exit ${code}): ${cmd} ${args.join(" ")}`);
    process.exit(code);
  }
}

// Node 22 ships on the npm registry as a plain package holding the binary; no install script runs.
function ensureTools() {
  const nodePkg = `node-${process.platform}-${process.arch}`;
  const nodeBin = join(tools, "node_modules", nodePkg, "bin", "node");
  const pnpmBin = join(tools, "node_modules", "pnpm", "bin", "pnpm.cjs");
  const stamp = join(tools, "stamp");
  const want = `${nodePkg}@${NODE_VERSION} pnpm@${PNPM_VERSION}`;
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== want || !existsSync(nodeBin)) {
    say(`installing Node ${NODE_VERSION} and pnpm ${PNPM_VERSION} from the npm registry into .tools/ ...`);
    mkdirSync(tools, { recursive: true });
    writeFileSync(join(tools, "package.json"), '{ "private": true }\n');
    mustRun(
      "npm",
      [
        "install",
        "--prefix",
        tools,
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--no-package-lock",
        `${nodePkg}@${NODE_VERSION}`,
        `pnpm@${PNPM_VERSION}`,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    writeFileSync(stamp, want);
  }
  mkdirSync(toolsBin, { recursive: true });
  linkTool(toolsBin, "node", nodeBin);
  linkTool(toolsBin, "pnpm", pnpmBin);
}

function toolEnv() {
  const path = [toolsBin, join(root, "node_modules", ".bin"), process.env.PATH].join(":");
  return {
    ...process.env,
    PATH: path,
    WRANGLER_SEND_METRICS: "false",
    XDG_CONFIG_HOME: join(root, ".work", "xdg"),
    WRANGLER_LOG_PATH: join(root, ".work", "wrangler-logs"),
    NO_UPDATE_NOTIFIER: "1",
    TURBO_TELEMETRY_DISABLED: "1",
    DO_NOT_TRACK: "1",
  };
}

function ensureDependencies(env) {
  const inputs = ["pnpm-lock.yaml", "package.json", "pnpm-workspace.yaml"];
  const hash = createHash("sha256");
  for (const f of inputs) if (existsSync(join(root, f))) hash.update(readFileSync(join(root, f)));
  const digest = hash.digest("hex");
  const stamp = join(root, "node_modules", ".qmk-edge-install");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return;
  say("installing workspace dependencies with pnpm ...");
  const frozen = existsSync(join(root, "pnpm-lock.yaml")) ? ["--frozen-lockfile"] : [];
  mustRun("pnpm", ["install", "--prefer-offline", ...frozen], { env });
  writeFileSync(stamp, digest);
}

// scripts/start.ts runs until a signal, so it is not waited for blocking: a signal this process gets (npm
// forwards SIGINT and SIGTERM to its script's shell; a closed terminal sends SIGHUP) is passed on, and so is the
// death of this process's parent (the shell npm ran, killed), which start.ts would not see otherwise.
function startSystem(args, env) {
  const child = spawn("node", ["scripts/start.ts", ...args], { stdio: "inherit", cwd: root, env });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) child.kill("SIGTERM");
  }, 1000).unref();
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const [command = "setup", ...rest] = process.argv.slice(2);
ensureTools();
const env = toolEnv();
mkdirSync(join(root, ".work"), { recursive: true });
ensureDependencies(env);

switch (command) {
  case "setup":
    ensureSystemPackages(["toolchains", "servers"], say);
    break;
  case "start":
    ensureSystemPackages(["toolchains"], say);
    startSystem(rest, env);
    break;
  case "test":
    ensureSystemPackages(["toolchains", "servers"], say);
    process.exit(run("node", ["scripts/test.ts", ...rest], { env }));
    break;
  case "exec":
    process.exit(run(rest[0], rest.slice(1), { env }));
    break;
  default:
    say(`unknown command ${command}; use setup | start | test | exec <cmd>`);
    process.exit(2);
}
