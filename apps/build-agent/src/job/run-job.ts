import { copyFile, mkdir, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  type AgentJob,
  type BuildTimings,
  type CompleteRequest,
  type JobStage,
  LIMITS,
  type Toolchain,
} from "@qmk-edge/schema";
import type { BuildSlots } from "../build/slots.ts";
import { artifactNames, jobDirs } from "../job-names.ts";
import { formatDuration, type Logger } from "../log.ts";
import { type CompiledFirmware, type CompileSettings, compile, makeCommandLine } from "../steps/compile.ts";
import { type GeneratedKeymap, renderKeymap, writeKeymapDir } from "../steps/generate.ts";
import { type LocalArtifact, packageSources, writeArtifact } from "../steps/package.ts";
import { type PreparedJob, prepare } from "../steps/prepare.ts";
import type { TreeManager } from "../tree/firmware-tree.ts";
import type { TreeArchives } from "../zip/tree-archives.ts";
import { renderBuildLog } from "./build-log.ts";
import { failureSummary, JobFailure } from "./failure.ts";

// One job from lease to "ready to upload": prepare -> generate -> compile -> package. Generate and compile
// hold the job's build slot (one keyboard's keymap dir and build dir, kept from job to job). Whatever
// happens, the tree is left as it was: make's firmware copy at its root goes (steps/compile.ts).
// Uploading and completing belong to the agent loop; tests drive this directly without an API.

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

export type JobOutcome =
  | { kind: "release"; reason: string }
  | {
      kind: "done";
      // Everything `complete` needs except the lease and the upload time.
      result: Omit<CompleteRequest, "lease_id">;
      artifacts: LocalArtifact[];
      jobDir: string;
      buildDir: string | null; // the build slot's BUILD_DIR, once the job got that far
      elf: string | null; // the kept ELF copy (keepElf)
      log: string;
    };

export interface RunOptions {
  signal?: AbortSignal;
  onStage?: (stage: JobStage) => void;
}

export async function runJob(job: AgentJob, ctx: BuildContext, opts: RunOptions = {}): Promise<JobOutcome> {
  const log = ctx.log.child({ job: job.id });
  const tree = await ctx.trees.forVersion(job.firmware_version);
  if (!tree) {
    const have = ctx.trees.current.version;
    return { kind: "release", reason: `this agent builds firmware ${have}, not ${job.firmware_version}` };
  }

  const timings: BuildTimings = {};
  const lines: string[] = [
    `qmk-edge-agent: job ${job.id} (attempt ${job.attempts + 1})`,
    `keyboard ${job.request.keyboard}, layout ${job.request.layout}, keymap ${job.request.keymap}`,
    `firmware tree ${tree.version} (${tree.origin.kind === "git" ? tree.origin.url : tree.origin.path})`,
  ];
  const dirs = jobDirs(ctx.workDir, job.id);
  const render = () => renderBuildLog(lines, { [ctx.workDir]: "<work-dir>", [tree.root]: "<firmware-tree>" });
  let prepared: PreparedJob | null = null;
  let generated: GeneratedKeymap | null = null;
  let firmware: CompiledFirmware | null = null;
  let elf: string | null = null;
  const artifacts: LocalArtifact[] = [];
  let stageStart = performance.now();
  const enter = (stage: JobStage) => {
    stageStart = performance.now();
    opts.onStage?.(stage);
    log.debug("started", { stage });
  };
  const leave = (stage: JobStage, key: keyof BuildTimings) => {
    const ms = Math.round(performance.now() - stageStart);
    timings[key] = ms;
    log.info(`done in ${formatDuration(ms)}`, { stage });
  };

  try {
    enter("preparing");
    prepared = await prepare(job, tree, ctx.workDir);
    if (ctx.toolchains && !ctx.toolchains.includes(prepared.toolchain)) {
      return { kind: "release", reason: `this agent has no ${prepared.toolchain} toolchain` };
    }
    for (const t of prepared.translations)
      log.info("translated a renamed keycode", { path: t.path, from: t.from, to: t.to });
    lines.push(
      ...prepared.folder.steps,
      ...prepared.translations.map(
        (t) => `keycode ${t.path}: ${t.from} is ${t.to} in this firmware (renamed)`,
      ),
      `toolchain ${prepared.toolchain} (${prepared.keyboard.processor}); built as keymap ${prepared.buildKeymap}`,
      ...(ctx.sandboxNote ? [ctx.sandboxNote] : []),
    );
    const p = prepared;
    const keymap = renderKeymap(p);
    generated = keymap;
    firmware = await ctx.slots.withSlot(p.slotDir, async () => {
      await writeKeymapDir(p, keymap);
      leave("preparing", "prepare_ms");
      opts.signal?.throwIfAborted();

      enter("compiling");
      lines.push(`$ ${makeCommandLine(p, ctx.compile.makeJobs)}`, "");
      const built = await compile(p, ctx.compile, opts.signal);
      if (built.resetSlot) log.info("the build slot's last build had not finished; it started over");
      lines.push(
        built.make.output.trimEnd(),
        "",
        `make exited with 0 after ${formatDuration(built.make.durationMs)}`,
      );
      if (ctx.keepElf) elf = await keepElf(built.elf, dirs.elfDir);
      return built;
    });
    leave("compiling", "compile_ms");
    opts.signal?.throwIfAborted();

    enter("packaging");
    const { source, tree: treeZip } = await packageSources(prepared, generated, firmware, ctx.archives, log);
    artifacts.push(
      {
        kind: "firmware",
        path: firmware.path,
        filename: firmware.filename,
        sha256: firmware.sha256,
        size: firmware.size,
      },
      source,
      await writeArtifact(prepared.outDir, "keymap", prepared.names.keymap, generated.keymapJson),
      ...(treeZip ? [treeZip] : []),
    );
    lines.push(`firmware ${firmware.filename}: ${firmware.size} bytes, sha256 ${firmware.sha256}`);
    lines.push(
      `reproduce: unzip ${source.filename} over firmware tree ${tree.version}, then \`${prepared.command}\``,
    );
    const text = render();
    artifacts.push(await writeArtifact(prepared.outDir, "log", prepared.names.log, text));
    leave("packaging", "package_ms");
    return {
      kind: "done",
      result: {
        status: "finished",
        returncode: 0,
        output: tail(text),
        command: prepared.command,
        firmware_filename: firmware.filename,
        toolchain: prepared.toolchain,
        timings,
      },
      artifacts,
      jobDir: dirs.jobDir,
      buildDir: prepared?.buildDir ?? null,
      elf,
      log: text,
    };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const failure =
      err instanceof JobFailure
        ? err
        : new JobFailure(
            `the build agent hit an internal error: ${err instanceof Error ? err.message : String(err)}`,
          );
    if (!(err instanceof JobFailure)) log.error("internal error while building", { problem: String(err) });
    log.info(`failed: ${failure.message.split("\n")[0]}`, { returncode: failure.returncode });
    if (failure.output) lines.push(failure.output.trimEnd(), "");
    lines.push(`error: ${failure.message}`);
    const text = render();
    const names = prepared?.names ?? artifactNames(job.request);
    const failedArtifacts = [await writeArtifact(dirs.outDir, "log", names.log, text)];
    if (prepared && generated) {
      failedArtifacts.push(await writeArtifact(dirs.outDir, "keymap", names.keymap, generated.keymapJson));
    }
    return {
      kind: "done",
      result: {
        status: "failed",
        returncode: failure.returncode,
        output: summaryFirst(failureSummary(failure, text), text),
        command: prepared?.command ?? `make ${job.request.keyboard}:${job.request.keymap}`,
        firmware_filename: null,
        toolchain: prepared?.toolchain ?? null,
        timings,
      },
      artifacts: failedArtifacts,
      jobDir: dirs.jobDir,
      buildDir: prepared?.buildDir ?? null,
      elf,
      log: text,
    };
  } finally {
    if (prepared) await cleanUp(prepared);
  }
}

// The job's HOME; the out dir stays until the loop disposes it, the slot for the keyboard's next job
// (make's firmware copies at the tree root went in the compile step, inside the slot's turn).
async function cleanUp(p: PreparedJob): Promise<void> {
  await rm(p.homeDir, { recursive: true, force: true });
}

async function keepElf(elf: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const copy = join(dir, basename(elf));
  await copyFile(elf, copy);
  return copy;
}

// Removes everything the job left in the work dir (after upload, or when abandoned).
export async function disposeJob(workDir: string, jobId: string): Promise<void> {
  await rm(jobDirs(workDir, jobId).jobDir, { recursive: true, force: true });
}

// A failed job's output: the summary a user reads first (job/failure.ts), then the log's tail.
function summaryFirst(summary: string, text: string): string {
  return `${summary}\n\n${tail(text, LIMITS.logTailChars - summary.length - 2)}`;
}

// The part of the log the job record carries: its end, where the errors are.
export function tail(text: string, max: number = LIMITS.logTailChars): string {
  if (text.length <= max) return text;
  const marker = "[... start of the log cut; the full log is the job's log artifact ...]\n";
  return marker + text.slice(text.length - (max - marker.length));
}
