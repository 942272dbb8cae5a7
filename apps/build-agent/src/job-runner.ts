import { rm } from "node:fs/promises";
import {
  type AgentJob,
  type BuildTimings,
  type CompleteRequest,
  type JobStage,
  LIMITS,
  type Toolchain,
} from "@qmk-edge/schema";
import { renderBuildLog } from "./build-log.ts";
import { JobFailure } from "./job-failure.ts";
import { artifactNames, jobDirs } from "./job-names.ts";
import { formatDuration, type Logger } from "./log.ts";
import { type CompiledFirmware, type CompileSettings, compile, rootJobFiles } from "./steps/compile.ts";
import { type GeneratedKeymap, generate } from "./steps/generate.ts";
import { type LocalArtifact, packageSources, writeArtifact } from "./steps/package.ts";
import { type PreparedJob, prepare } from "./steps/prepare.ts";
import type { TreeManager } from "./tree/firmware-tree.ts";
import type { TreeArchives } from "./tree-archives.ts";

// One job from lease to "ready to upload": prepare -> generate -> compile -> package. Whatever happens,
// the tree is left as it was (the job's keymap dir and firmware file go) and so is the build dir.
// Uploading and completing belong to the agent loop; tests drive this directly without an API.

export interface BuildContext {
  trees: TreeManager;
  archives: TreeArchives;
  workDir: string;
  compile: CompileSettings;
  log: Logger;
  // Keep <work>/jobs/<id>/build (objects, ELF, map) after the job; for debugging and tests.
  keepBuildDir?: boolean;
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
      buildDir: string;
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
    generated = await generate(prepared);
    leave("preparing", "prepare_ms");
    opts.signal?.throwIfAborted();

    enter("compiling");
    const vars = Object.entries(prepared.vars).map(([k, v]) => ` ${k}=${v}`);
    lines.push(
      `$ make -j${ctx.compile.makeJobs} ${prepared.target} BUILD_DIR=${prepared.buildDir}${vars.join("")}`,
      "",
    );
    firmware = await compile(prepared, ctx.compile, opts.signal);
    lines.push(
      firmware.make.output.trimEnd(),
      "",
      `make exited with 0 after ${formatDuration(firmware.make.durationMs)}`,
    );
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
      buildDir: dirs.buildDir,
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
        output: tail(text),
        command: prepared?.command ?? `make ${job.request.keyboard}:${job.request.keymap}`,
        firmware_filename: null,
        toolchain: prepared?.toolchain ?? null,
        timings,
      },
      artifacts: failedArtifacts,
      jobDir: dirs.jobDir,
      buildDir: dirs.buildDir,
      log: text,
    };
  } finally {
    if (prepared) await cleanTree(prepared, ctx.keepBuildDir ?? false);
  }
}

// The job's traces in the shared tree and its build dir; the out dir stays until the loop disposes it.
async function cleanTree(p: PreparedJob, keepBuildDir: boolean): Promise<void> {
  await rm(p.keymapDir, { recursive: true, force: true });
  for (const file of await rootJobFiles(p)) await rm(file, { force: true });
  await rm(p.homeDir, { recursive: true, force: true });
  if (!keepBuildDir) await rm(p.buildDir, { recursive: true, force: true });
}

// Removes everything the job left in the work dir (after upload, or when abandoned).
export async function disposeJob(workDir: string, jobId: string): Promise<void> {
  await rm(jobDirs(workDir, jobId).jobDir, { recursive: true, force: true });
}

// The part of the log the job record carries: its end, where the errors are.
export function tail(text: string, max: number = LIMITS.logTailChars): string {
  if (text.length <= max) return text;
  const marker = "[... start of the log cut; the full log is the job's log artifact ...]\n";
  return marker + text.slice(text.length - (max - marker.length));
}
