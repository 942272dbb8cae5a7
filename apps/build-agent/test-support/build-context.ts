import { randomBytes } from "node:crypto";
import type { AgentJob, CompileRequest } from "@qmk-edge/schema";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import type { TreeSource } from "../src/config/load-config.ts";
import type { BuildContext } from "../src/job/context.ts";
import { localJob, openBuildContext } from "../src/job/context.ts";
import { silentLogger } from "../src/log.ts";

// What the agent's job runner needs to build in tests without an API: a BuildContext on a tree (the demo
// tree unless told), jobs as a lease would hand them out, and the ELF a job kept.

export const newJobId = () => randomBytes(16).toString("hex");

export const makeJob = (request: CompileRequest, firmwareVersion: string, id = newJobId()): AgentJob =>
  localJob(request, firmwareVersion, id);

// The ELF copy a job kept (keepElf), or a failed test that says why there is none.
export function keptElf(out: { elf: string | null; log: string }): string {
  if (!out.elf) throw new Error(`the job kept no ELF (keepElf not set, or it failed):\n${out.log}`);
  return out.elf;
}

export interface ContextOptions {
  workDir: string;
  source?: TreeSource;
  ccache?: "auto" | "off";
  keepElf?: boolean;
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
    keepElf: o.keepElf,
    log: silentLogger,
  });
  return context;
}
