import { join } from "node:path";
import type { AgentJob, CompileRequest, Toolchain } from "@qmk-edge/schema";
import { type BuildHost, probeBuildHost } from "../build/host.ts";
import { BuildSlots } from "../build/slots.ts";
import type { TreeSource } from "../config/load-config.ts";
import { DEFAULT_MAX_BUILD_SLOTS } from "../config/options.ts";
import { buildSlotsRoot } from "../job-names.ts";
import type { Logger } from "../log.ts";
import type { CompileSettings } from "../steps/compile.ts";
import { type FirmwareTree, TreeManager } from "../tree/firmware-tree.ts";
import { TreeArchives } from "../zip/tree-archives.ts";

// Everything a job needs besides the API, wired one way for the agent (main.ts), its tests and the
// benchmarks: the warm tree, what this host offers builds, the tree archives and the build limits.

export interface BuildContext {
  trees: TreeManager;
  archives: TreeArchives;
  workDir: string;
  slots: BuildSlots;
  compile: CompileSettings;
  log: Logger;
  // Keep a copy of the job's linked ELF in <work>/jobs/<id>/elf (the slot's is replaced by its next job);
  // for debugging and tests.
  keepElf?: boolean;
  // Toolchains installed here; a job needing another is handed back. Undefined: do not check.
  toolchains?: Toolchain[];
  // One line of the log header, e.g. "ccache on; network isolated (unshare -n)".
  sandboxNote?: string;
}

export interface BuildContextOptions {
  source: TreeSource;
  // Called once per firmware version the tree manager opens (the agent publishes its catalogue there).
  onOpen?: (tree: FirmwareTree) => void;
  workDir: string;
  path: string; // PATH the compilers (and a real tree's `qmk` CLI) are found on
  ccache: "auto" | "off";
  isolateNetwork: "auto" | "on" | "off";
  makeJobs: number;
  maxBuildSlots?: number; // keyboards whose build dir is kept (DEFAULT_MAX_BUILD_SLOTS)
  timeoutMs: number;
  maxLogBytes: number;
  killGraceMs?: number;
  keepElf?: boolean;
  log: Logger;
}

export async function openBuildContext(
  o: BuildContextOptions,
): Promise<{ context: BuildContext; tree: FirmwareTree; host: BuildHost }> {
  const trees = new TreeManager({ source: o.source, workDir: o.workDir, log: o.log, onOpen: o.onOpen });
  const tree = await trees.open();
  const host = await probeBuildHost({
    workDir: o.workDir,
    path: o.path,
    ccache: o.ccache,
    isolateNetwork: o.isolateNetwork,
    treeRoot: tree.root,
  });
  const context: BuildContext = {
    trees,
    archives: new TreeArchives(join(o.workDir, "tree-archives")),
    workDir: o.workDir,
    slots: new BuildSlots({
      root: buildSlotsRoot(o.workDir),
      max: o.maxBuildSlots ?? DEFAULT_MAX_BUILD_SLOTS,
      log: o.log,
    }),
    compile: {
      sandbox: host.sandbox,
      makeJobs: o.makeJobs,
      timeoutMs: o.timeoutMs,
      maxLogBytes: o.maxLogBytes,
      killGraceMs: o.killGraceMs,
    },
    toolchains: host.toolchains,
    sandboxNote: host.note,
    log: o.log,
    keepElf: o.keepElf,
  };
  return { context, tree, host };
}

// A job as a lease hands it out, for building without an API (benchmarks, tests). Its content key is
// only ever read by the API.
export function localJob(request: CompileRequest, firmwareVersion: string, id: string): AgentJob {
  return { id, request, content_key: "0".repeat(64), firmware_version: firmwareVersion, attempts: 0 };
}
