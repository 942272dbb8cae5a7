// `npm run -s deploy:check` (in apps/edge-api; npm test runs it through test-node/deploy-check.test.ts): bundles
// the Worker as `wrangler deploy` would (--dry-run --outdir: no account, no network) and checks the bundle and
// wrangler.jsonc (scripts/deploy/checks.ts). Exit 0 and one summary line, or exit 1 and one line per problem.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { unstable_readConfig } from "wrangler";
import {
  bindingProblems,
  type DeployConfig,
  defaultHandlers,
  devValueProblems,
  durableObjectProblems,
  exportedNames,
  handlerProblems,
  sizeProblems,
  WORKER_GZIP_LIMIT_BYTES,
} from "./deploy/checks.ts";
import { LOCAL_AGENT_TOKEN, LOCAL_OPERATOR_TOKEN, sha256Hex } from "./dev-vars.ts";

const app = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(dirname(app));

export interface DeployCheckResult {
  problems: string[];
  bytes: number;
  gzipBytes: number;
  bindings: number;
}

// The documented development tokens, themselves and as the sha256 a config would hold; callers add more
// (the test tokens).
export function devValues(extraTokens: string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (const token of [LOCAL_AGENT_TOKEN, LOCAL_OPERATOR_TOKEN, ...extraTokens]) {
    out.set(`the development token ${token}`, token);
    out.set(`the sha256 of the development token ${token}`, sha256Hex(token));
  }
  return out;
}

export function runDeployCheck(opts: { extraDevTokens?: string[] } = {}): DeployCheckResult {
  const work = join(repo, ".work");
  mkdirSync(work, { recursive: true });
  const outdir = mkdtempSync(join(work, "deploy-check-"));
  try {
    const res = spawnSync(
      join(app, "node_modules", ".bin", "wrangler"),
      ["deploy", "--dry-run", "--outdir", outdir, "--config", "wrangler.jsonc"],
      {
        cwd: app,
        encoding: "utf8",
        env: {
          ...process.env,
          PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
          WRANGLER_SEND_METRICS: "false",
          WRANGLER_HIDE_BANNER: "true",
          XDG_CONFIG_HOME: join(work, "xdg"),
          WRANGLER_LOG_PATH: join(work, "wrangler-logs"),
          CI: "true",
          NO_COLOR: "1",
        },
      },
    );
    if (res.status !== 0) {
      const tail = `${res.stdout}\n${res.stderr}`.trim().split("\n").slice(-20).join("\n");
      return {
        problems: [`wrangler deploy --dry-run failed (exit ${res.status}):\n${tail}`],
        bytes: 0,
        gzipBytes: 0,
        bindings: 0,
      };
    }
    const scripts = readdirSync(outdir).filter((f) => f.endsWith(".js"));
    const bundle = scripts.map((f) => readFileSync(join(outdir, f), "utf8")).join("\n");
    const bytes = Buffer.byteLength(bundle);
    const gzipBytes = gzipSync(bundle, { level: 9 }).length;
    const config = unstable_readConfig(
      { config: join(app, "wrangler.jsonc") },
      { hideWarnings: true },
    ) as unknown as DeployConfig;
    const entry = readFileSync(join(app, "src", "workers", "main.ts"), "utf8");
    const problems = [
      ...(scripts.length === 0 ? ["wrangler wrote no script to --outdir"] : []),
      ...bindingProblems(join(app, "src", "workers", "env.ts"), config),
      ...durableObjectProblems(config, exportedNames(entry)),
      ...handlerProblems(config, defaultHandlers(entry)),
      ...devValueProblems(config, bundle, devValues(opts.extraDevTokens)),
      ...sizeProblems(gzipBytes),
    ];
    const bindings =
      config.r2_buckets.length +
      (config.queues.producers?.length ?? 0) +
      config.durable_objects.bindings.length +
      (config.analytics_engine_datasets?.length ?? 0) +
      Object.keys(config.vars).length +
      (config.secrets?.required?.length ?? 0);
    return { problems, bytes, gzipBytes, bindings };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = runDeployCheck();
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  if (r.problems.length > 0) {
    for (const p of r.problems) process.stderr.write(`deploy check: ${p}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `deploy check: ok: bundle ${kib(r.bytes)}, gzip ${kib(r.gzipBytes)} (limit ${kib(WORKER_GZIP_LIMIT_BYTES)}); ` +
      `${r.bindings} bindings, vars and secrets match src/workers/env.ts; no development token\n`,
  );
}
