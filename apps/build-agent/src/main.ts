#!/usr/bin/env node
import { join } from "node:path";
import { AgentLoop } from "./agent-loop.ts";
import { ApiClient } from "./api-client.ts";
import { BuildHostError, probeBuildHost } from "./build-host.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { TreeArchives } from "./packaging.ts";
import { TreeError, TreeManager } from "./tree/firmware-tree.ts";
import { lockWorkDir, WorkDirBusyError } from "./work-dir.ts";

// qmk-edge-agent: read the config, wire the parts, run the loop until a signal. Exit codes: 0 after a
// signal-driven shutdown, 1 fatal runtime error, 2 bad configuration (flags, env, file, tree, host).

const EXIT_BAD_CONFIG = 2;

async function main(): Promise<number> {
  const loaded = loadConfig(process.argv.slice(2), process.env);
  if (loaded.kind === "help") {
    process.stdout.write(loaded.text);
    return 0;
  }
  const config = loaded.config;
  const log = createLogger({ format: config.logFormat, level: config.logLevel });

  const unlock = await lockWorkDir(config.workDir);
  try {
    const trees = new TreeManager({ source: config.tree, workDir: config.workDir, log });
    const tree = await trees.open();
    const host = await probeBuildHost({
      workDir: config.workDir,
      path: process.env.PATH ?? "/usr/bin:/bin",
      ccache: config.ccache,
      isolateNetwork: config.isolateNetwork,
    });
    log.info("firmware tree ready", { version: tree.version, root: tree.root });
    log.info(host.note);

    const archives = new TreeArchives(join(config.workDir, "tree-archives"));
    // Made once per version; start now so the first job does not wait for it.
    archives
      .get(tree)
      .catch((err) => log.warn("could not archive the firmware tree", { problem: String(err) }));

    const loop = new AgentLoop({
      api: new ApiClient({ baseUrl: config.apiUrl, token: config.token, log }),
      build: {
        trees,
        archives,
        workDir: config.workDir,
        compile: {
          sandbox: host.sandbox,
          makeJobs: config.makeJobs,
          timeoutMs: config.buildTimeoutMs,
          maxLogBytes: config.maxLogBytes,
        },
        toolchains: host.toolchains,
        sandboxNote: host.note,
        log,
      },
      agentId: config.agentId,
      toolchains: host.toolchains,
      concurrency: config.concurrency,
      leaseWaitMs: config.leaseWaitMs,
      shutdownGraceMs: config.shutdownGraceMs,
      log,
    });
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => loop.shutdown(signal));
    return await loop.run();
  } finally {
    await unlock();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const bad = [ConfigError, TreeError, BuildHostError, WorkDirBusyError].some((E) => err instanceof E);
    process.stderr.write(`qmk-edge-agent: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!bad && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exit(bad ? EXIT_BAD_CONFIG : 1);
  },
);
