import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { AgentJob, CompileRequest } from "@qmk-edge/schema";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { probeBuildHost } from "../../src/build-host.ts";
import type { TreeSource } from "../../src/config.ts";
import type { BuildContext } from "../../src/job-runner.ts";
import { silentLogger } from "../../src/log.ts";
import { TreeManager } from "../../src/tree/firmware-tree.ts";
import { TreeArchives } from "../../src/tree-archives.ts";

// What the agent's job runner needs to build in tests without an API: a BuildContext on a tree (the demo
// tree unless told), jobs as a lease would hand them out, and where a job's build leaves its ELF.

export const newJobId = () => randomBytes(16).toString("hex");

export function makeJob(request: CompileRequest, firmwareVersion: string, id = newJobId()): AgentJob {
  return { id, request, content_key: "0".repeat(64), firmware_version: firmwareVersion, attempts: 0 };
}

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
  const trees = new TreeManager({
    source: o.source ?? { kind: "path", path: DEMO_TREE },
    workDir: o.workDir,
    log: silentLogger,
  });
  await trees.open();
  const host = await probeBuildHost({
    workDir: o.workDir,
    path: process.env.PATH ?? "/usr/bin:/bin",
    ccache: o.ccache ?? "auto",
    isolateNetwork: "auto",
  });
  return {
    trees,
    archives: new TreeArchives(join(o.workDir, "tree-archives")),
    workDir: o.workDir,
    compile: {
      sandbox: host.sandbox,
      makeJobs: 2,
      timeoutMs: o.timeoutMs ?? 120_000,
      maxLogBytes: o.maxLogBytes ?? 1024 * 1024,
      killGraceMs: 1000,
    },
    toolchains: host.toolchains,
    sandboxNote: host.note,
    log: silentLogger,
    keepBuildDir: o.keepBuildDir,
  };
}
