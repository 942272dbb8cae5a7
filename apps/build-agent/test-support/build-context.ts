import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { AgentJob, CompileRequest } from "@qmk-edge/schema";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { localJob, openBuildContext } from "../src/build-context.ts";
import type { TreeSource } from "../src/config.ts";
import type { BuildContext } from "../src/job-runner.ts";
import { silentLogger } from "../src/log.ts";

// What the agent's job runner needs to build in tests without an API: a BuildContext on a tree (the demo
// tree unless told), jobs as a lease would hand them out, and where a job's build leaves its ELF.

export const newJobId = () => randomBytes(16).toString("hex");

export const makeJob = (request: CompileRequest, firmwareVersion: string, id = newJobId()): AgentJob =>
  localJob(request, firmwareVersion, id);

export const buildElf = (buildDir: string, keyboard: string, jobId: string) =>
  join(buildDir, `${keyboard.replaceAll("/", "_")}_qe_${jobId}.elf`);

export interface ContextOptions {
  workDir: string;
  source?: TreeSource;
  ccache?: "auto" | "off";
  keepBuildDir?: boolean;
  timeoutMs?: number;
  maxLogBytes?: number;
}

export async function buildContext(o: ContextOptions): Promise<BuildContext> {
  const { context } = await openBuildContext({
    source: o.source ?? { kind: "path", path: DEMO_TREE },
    workDir: o.workDir,
    path: process.env.PATH ?? "/usr/bin:/bin",
    ccache: o.ccache ?? "auto",
    isolateNetwork: "auto",
    makeJobs: 2,
    timeoutMs: o.timeoutMs ?? 120_000,
    maxLogBytes: o.maxLogBytes ?? 1024 * 1024,
    killGraceMs: 1000,
    keepBuildDir: o.keepBuildDir,
    log: silentLogger,
  });
  return context;
}
