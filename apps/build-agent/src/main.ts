#!/usr/bin/env node
import { join } from "node:path";
import { ApiClient } from "./api/client.ts";
import { BuildHostError } from "./build/host.ts";
import { CatalogueClient } from "./catalogue/client.ts";
import { CataloguePublisher } from "./catalogue/publish.ts";
import { ConfigError, loadConfig } from "./config/load-config.ts";
import { BuildHealthRunner } from "./health/runner.ts";
import { openBuildContext } from "./job/context.ts";
import { createLogger, type Logger } from "./log.ts";
import { LogSink } from "./log-sink.ts";
import { AgentLoop } from "./loop/agent-loop.ts";
import { lockWorkDir, WorkDirBusyError } from "./loop/work-dir.ts";
import { AgentMetrics } from "./metrics/agent-metrics.ts";
import { watchParent } from "./parent-watch.ts";
import { TreeError } from "./tree/firmware-tree.ts";

// qmk-edge-agent: read the config, wire the parts, run the loop until a signal. Exit codes: 0 after a
// signal-driven shutdown, 1 fatal runtime error, 2 bad configuration (flags, env, file, tree, host).
// Every line it prints goes through `stderr` below: a failed write moves the log to the work dir and never
// throws (log-sink.ts); stdout carries only --help and never raises an error either.

const EXIT_BAD_CONFIG = 2;
const EXIT_FATAL = 1;
// How long a crashing agent may spend handing its jobs back before it exits anyway.
const CRASH_RELEASE_MS = 15_000;

let loop: AgentLoop | null = null;
let crashing = false;
// The logger, once the config has made it: it says where the log went when stderr fails.
let logger: Logger | null = null;
const stderr = new LogSink(process.stderr, (problem, file) =>
  logger?.warn(
    `writing the log to stderr failed; ${file ? `appending it to ${file}` : "dropping it"} from now on`,
    {
      problem,
    },
  ),
);
process.stdout.on("error", () => {});

// An error nothing caught (a stream's 'error' event, a rejected promise nobody awaited) leaves the
// process in an unknown state: log it, hand every leased job back so it is rebuilt now rather than
// after its lease expires, and exit non-zero for the supervisor to restart the agent.
function onCrash(kind: string, log: Logger) {
  return (err: unknown) => {
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    stderr.write(`qmk-edge-agent: ${kind}: ${text}\n`);
    if (crashing) return;
    crashing = true;
    log.error(`${kind}; releasing leased jobs and exiting`, { problem: String(err) });
    const release = loop?.releaseAll(`agent crashed (${kind})`) ?? Promise.resolve();
    const deadline = new Promise((resolve) => setTimeout(resolve, CRASH_RELEASE_MS).unref());
    void Promise.race([release, deadline]).finally(() => process.exit(EXIT_FATAL));
  };
}

async function main(): Promise<number> {
  const loaded = loadConfig(process.argv.slice(2), process.env);
  if (loaded.kind === "help") {
    process.stdout.write(loaded.text);
    return 0;
  }
  const config = loaded.config;
  stderr.fallbackTo(join(config.workDir, "agent.log"));
  const log = createLogger({ format: config.logFormat, level: config.logLevel, write: stderr.write });
  logger = log;
  process.on("uncaughtException", onCrash("uncaught exception", log));
  process.on("unhandledRejection", onCrash("unhandled promise rejection", log));

  const unlock = await lockWorkDir(config.workDir);
  try {
    const api = new ApiClient({ baseUrl: config.apiUrl, token: config.token, log });
    // Each firmware version's keyboard catalogue, published in the background once its tree is ready;
    // its failures are logged and never stop the agent.
    const catalogue = config.publishCatalogue
      ? new CataloguePublisher({
          client: new CatalogueClient(api),
          log,
          workDir: config.workDir,
          apiUrl: config.apiUrl,
        })
      : null;
    if (!catalogue) log.info("not publishing the keyboard catalogue (--no-publish-catalogue)");
    const { context, tree, host } = await openBuildContext({
      source: config.tree,
      onOpen: (t) => void catalogue?.forTree(t),
      workDir: config.workDir,
      path: process.env.PATH ?? "/usr/bin:/bin",
      ccache: config.ccache,
      isolateNetwork: config.isolateNetwork,
      makeJobs: config.makeJobs,
      maxBuildSlots: config.maxBuildSlots,
      timeoutMs: config.buildTimeoutMs,
      maxLogBytes: config.maxLogBytes,
      log,
    });
    log.info("firmware tree ready", { version: tree.version, root: tree.root });
    log.info(host.note);

    // Made once per version; start now so the first job does not wait for it. A failure only means
    // jobs go without the tree download until a later job's attempt succeeds.
    const started = performance.now();
    context.archives.get(tree).then(
      (a) =>
        log.info("firmware tree archived", {
          bytes: a.size,
          took_ms: Math.round(performance.now() - started),
        }),
      (err) => log.warn("could not archive the firmware tree", { problem: String(err) }),
    );

    const metrics = config.metricsListen ? new AgentMetrics({ processMetrics: true }) : null;
    if (metrics && config.metricsListen) {
      const { host, port } = config.metricsListen;
      const served = await metrics.listen(host, port);
      served.server.unref();
      context.compile.onSlot = (warm) => metrics.slots.inc({ result: warm ? "warm" : "cold" });
      log.info("serving metrics", {
        url: `http://${host.includes(":") ? `[${host}]` : host}:${served.port}/metrics`,
      });
    }
    const health = config.buildHealth
      ? new BuildHealthRunner({
          api,
          build: context,
          agentId: config.agentId,
          log,
          ...(metrics ? { metrics } : {}),
        })
      : undefined;
    if (!health) log.info("not building default keymaps while idle (--no-build-health)");

    loop = new AgentLoop({
      api,
      build: context,
      agentId: config.agentId,
      toolchains: host.toolchains,
      concurrency: config.concurrency,
      leaseWaitMs: config.leaseWaitMs,
      shutdownGraceMs: config.shutdownGraceMs,
      log,
      ...(health ? { health } : {}),
      ...(metrics ? { metrics } : {}),
    });
    const running = loop;
    // SIGHUP too: a closed terminal should not kill the agent with its leases held.
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
      process.on(signal, () => running.shutdown(signal));
    if (config.stopWithParent) watchParent(() => running.shutdown("the parent process exited"));
    return await running.run();
  } finally {
    await unlock();
  }
}

// A crash handler that is releasing jobs decides the exit (1) itself; the loop it stopped returns too.
main().then(
  (code) => crashing || process.exit(code),
  (err: unknown) => {
    if (crashing) return;
    const bad = [ConfigError, TreeError, BuildHostError, WorkDirBusyError].some((E) => err instanceof E);
    stderr.write(`qmk-edge-agent: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!bad && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
    process.exit(bad ? EXIT_BAD_CONFIG : EXIT_FATAL);
  },
);
