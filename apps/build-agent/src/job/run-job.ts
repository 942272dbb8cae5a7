import { copyFile, mkdir, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import type { KeycodeTranslation } from "@qmk-edge/keymap";
import {
  type AgentJob,
  type BuildTimings,
  type CompleteRequest,
  type JobStage,
  LIMITS,
} from "@qmk-edge/schema";
import { failureSummary, JobFailure } from "../job-failure.ts";
import { artifactNames, jobDirs } from "../job-names.ts";
import { formatDuration, type Logger } from "../log.ts";
import { type CompiledFirmware, compile, makeCommandLine } from "../steps/compile.ts";
import { type GeneratedKeymap, renderKeymap, writeKeymapDir } from "../steps/generate.ts";
import { type LocalArtifact, packageSources, writeArtifact } from "../steps/package.ts";
import { type PreparedJob, prepare } from "../steps/prepare.ts";
import type { FirmwareTree } from "../tree/firmware-tree.ts";
import { renderBuildLog } from "./build-log.ts";
import type { BuildContext } from "./context.ts";
import { renamedOutput } from "./renamed-output.ts";

// One job from lease to "ready to upload": prepare -> generate -> compile -> package, then its result
// (finished or failed) built in one place, settle(). Generate and compile hold the job's build slot (one
// keyboard's keymap dir and build dir, kept from job to job). Whatever happens, the tree is left as it
// was: make's firmware copy at its root goes (steps/compile.ts). Uploading and completing belong to the
// agent loop; tests drive this directly without an API.

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
  const tree = await ctx.trees.forVersion(job.firmware_version);
  if (!tree) {
    const have = ctx.trees.current.version;
    return { kind: "release", reason: `this agent builds firmware ${have}, not ${job.firmware_version}` };
  }
  const run = new JobRun(job, ctx, tree, opts);
  try {
    run.enter("preparing");
    const p = await prepare(job, tree, ctx.workDir);
    run.prepared = p;
    if (ctx.toolchains && !ctx.toolchains.includes(p.toolchain)) {
      return { kind: "release", reason: `this agent has no ${p.toolchain} toolchain` };
    }
    describePrepared(run, p);
    const keymap = renderKeymap(p);
    run.generated = keymap;
    const firmware = await ctx.slots.withSlot(p.slotDir, () => generateAndCompile(run, p, keymap));
    run.leave("compiling", "compile_ms");
    opts.signal?.throwIfAborted();

    run.enter("packaging");
    const packaged = await packageJob(run, p, keymap, firmware);
    run.leave("packaging", "package_ms");
    return await settle(run, { status: "finished", firmware, packaged });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    return await settle(run, { status: "failed", failure: asFailure(err, run.log) });
  } finally {
    if (run.prepared) await cleanUp(run.prepared);
  }
}

// What one run knows so far: the log's lines, the stages' timings, and how far the job got.
class JobRun {
  readonly lines: string[];
  readonly timings: BuildTimings = {};
  readonly log: Logger;
  readonly dirs: ReturnType<typeof jobDirs>;
  prepared: PreparedJob | null = null;
  generated: GeneratedKeymap | null = null;
  elf: string | null = null;
  #stageStart = performance.now();

  readonly job: AgentJob;
  readonly ctx: BuildContext;
  readonly tree: FirmwareTree;
  readonly opts: RunOptions;

  constructor(job: AgentJob, ctx: BuildContext, tree: FirmwareTree, opts: RunOptions) {
    this.job = job;
    this.ctx = ctx;
    this.tree = tree;
    this.opts = opts;
    this.log = ctx.log.child({ job: job.id });
    this.dirs = jobDirs(ctx.workDir, job.id);
    this.lines = [
      `qmk-edge-agent: job ${job.id} (attempt ${job.attempts + 1})`,
      `keyboard ${job.request.keyboard}, layout ${job.request.layout}, keymap ${job.request.keymap}`,
      `firmware tree ${tree.version} (${tree.origin.kind === "git" ? tree.origin.url : tree.origin.path})`,
    ];
  }

  enter(stage: JobStage): void {
    this.#stageStart = performance.now();
    this.opts.onStage?.(stage);
    this.log.debug("started", { stage });
  }

  leave(stage: JobStage, key: keyof BuildTimings): void {
    const ms = Math.round(performance.now() - this.#stageStart);
    this.timings[key] = ms;
    this.log.info(`done in ${formatDuration(ms)}`, { stage });
  }

  // The build log without the agent's own paths (job/build-log.ts).
  render(): string {
    const paths = { [this.ctx.workDir]: "<work-dir>", [this.tree.root]: "<firmware-tree>" };
    return renderBuildLog(this.lines, paths);
  }
}

function describePrepared(run: JobRun, p: PreparedJob): void {
  for (const t of p.translations)
    run.log.info("translated a renamed keycode", { path: t.path, from: t.from, to: t.to });
  run.lines.push(
    ...p.folder.steps,
    ...p.translations.map((t) => `keycode ${t.path}: ${t.from} is ${t.to} in this firmware (renamed)`),
    `toolchain ${p.toolchain} (${p.keyboard.processor}); built as keymap ${p.buildKeymap}`,
    ...(run.ctx.sandboxNote ? [run.ctx.sandboxNote] : []),
  );
}

// Inside the job's build slot: the keymap dir is written (the end of "preparing"), then make runs.
async function generateAndCompile(run: JobRun, p: PreparedJob, keymap: GeneratedKeymap) {
  const { ctx, opts } = run;
  await writeKeymapDir(p, keymap);
  run.leave("preparing", "prepare_ms");
  opts.signal?.throwIfAborted();

  run.enter("compiling");
  run.lines.push(`$ ${makeCommandLine(p, ctx.compile.makeJobs)}`, "");
  const built = await compile(p, ctx.compile, opts.signal);
  if (built.resetSlot) run.log.info("the build slot's last build had not finished; it started over");
  run.lines.push(
    built.make.output.trimEnd(),
    "",
    `make exited with 0 after ${formatDuration(built.make.durationMs)}`,
  );
  if (ctx.keepElf) run.elf = await keepElf(built.elf, run.dirs.elfDir);
  return built;
}

// The firmware, the source zip and the tree archive it goes over, as local artifacts.
async function packageJob(
  run: JobRun,
  p: PreparedJob,
  keymap: GeneratedKeymap,
  firmware: CompiledFirmware,
): Promise<LocalArtifact[]> {
  const { source, tree: treeZip } = await packageSources(p, keymap, firmware, run.ctx.archives, run.log);
  const { path, filename, sha256, size } = firmware;
  run.lines.push(
    `firmware ${filename}: ${size} bytes, sha256 ${sha256}`,
    `reproduce: unzip ${source.filename} over firmware tree ${run.tree.version}, then \`${p.command}\``,
  );
  return [{ kind: "firmware", path, filename, sha256, size }, source, ...(treeZip ? [treeZip] : [])];
}

type JobEnd =
  | { status: "finished"; firmware: CompiledFirmware; packaged: LocalArtifact[] }
  | { status: "failed"; failure: JobFailure };

// The one place a job's result is built, finished or failed: the log's last lines, the log and keymap
// artifacts (a failed job has them too, named by the same rule), and what `complete` reports.
async function settle(run: JobRun, end: JobEnd): Promise<JobOutcome> {
  const { job, prepared: p, generated, dirs } = run;
  if (end.status === "failed") {
    if (end.failure.output) run.lines.push(end.failure.output.trimEnd(), "");
    run.lines.push(`error: ${end.failure.message}`);
  }
  const text = run.render();
  const names = p?.names ?? artifactNames(job.request);
  const artifacts = end.status === "finished" ? [...end.packaged] : [];
  if (generated)
    artifacts.push(await writeArtifact(dirs.outDir, "keymap", names.keymap, generated.keymapJson));
  artifacts.push(await writeArtifact(dirs.outDir, "log", names.log, text));
  return {
    kind: "done",
    result: {
      status: end.status,
      returncode: end.status === "finished" ? 0 : end.failure.returncode,
      // A failed job's summary first (job-failure.ts failureSummary), then the renames and the log's end.
      output:
        end.status === "finished"
          ? renamedOutput(text, p?.translations ?? [])
          : summaryFirst(failureSummary(end.failure, text), text, p?.translations ?? []),
      command: p?.command ?? `make ${job.request.keyboard}:${job.request.keymap}`,
      firmware_filename: end.status === "finished" ? end.firmware.filename : null,
      toolchain: p?.toolchain ?? null,
      timings: run.timings,
    },
    artifacts,
    jobDir: dirs.jobDir,
    buildDir: p?.buildDir ?? null,
    elf: run.elf,
    log: text,
  };
}

// A JobFailure says why in words its user reads; anything else is a bug in the agent or its host,
// reported the same way but logged as one.
function asFailure(err: unknown, log: Logger): JobFailure {
  if (!(err instanceof JobFailure)) log.error("internal error while building", { problem: String(err) });
  const failure =
    err instanceof JobFailure
      ? err
      : new JobFailure(
          `the build agent hit an internal error: ${err instanceof Error ? err.message : String(err)}`,
        );
  log.info(`failed: ${failure.message.split("\n")[0]}`, { returncode: failure.returncode });
  return failure;
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

function summaryFirst(summary: string, text: string, translations: readonly KeycodeTranslation[]): string {
  return `${summary}\n\n${renamedOutput(text, translations, LIMITS.logTailChars - summary.length - 2)}`;
}
