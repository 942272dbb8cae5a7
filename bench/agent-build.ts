import { randomBytes } from "node:crypto";
import type { BuildContext } from "@qmk-edge/build-agent/src/job/context.ts";
import { localJob, openBuildContext } from "@qmk-edge/build-agent/src/job/context.ts";
import { silentLogger } from "@qmk-edge/build-agent/src/log.ts";
import type { AgentJob, CompileRequest } from "@qmk-edge/schema";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";

// The agent's own build wiring (job/context.ts, as main.ts uses it) on a tree (the demo tree unless the
// real-tree case names one), quiet, two make
// jobs, no API: what the build benchmarks time.
export async function benchBuildContext(
  workDir: string,
  ccache: "auto" | "off",
  tree = DEMO_TREE,
): Promise<BuildContext> {
  const { context } = await openBuildContext({
    source: { kind: "path", path: tree },
    workDir,
    path: process.env.PATH ?? "/usr/bin:/bin",
    ccache,
    isolateNetwork: "auto",
    makeJobs: 2,
    timeoutMs: 120_000,
    maxLogBytes: 1024 * 1024,
    log: silentLogger,
  });
  return context;
}

export const benchJob = (request: CompileRequest, ctx: BuildContext): AgentJob =>
  localJob(request, ctx.trees.current.version, randomBytes(16).toString("hex"));
