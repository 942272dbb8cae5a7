import { copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ARTIFACT_MAX_BYTES, firmwareExtension } from "@qmk-edge/schema";
import { JobFailure } from "../job-failure.ts";
import { formatDuration } from "../log.ts";
import { type MakeResult, type MakeSandbox, runMake } from "../make-runner.ts";
import { sha256File } from "../packaging.ts";
import type { PreparedJob } from "./prepare.ts";

// Stage "compiling": `make <kb>:qe_<jobid> BUILD_DIR=<job build dir>` in the warm tree, then the firmware
// file QMK leaves at the tree root moves to the job's output dir under the name users expect.

export interface CompileSettings {
  sandbox: MakeSandbox;
  makeJobs: number;
  timeoutMs: number;
  maxLogBytes: number;
  killGraceMs?: number;
}

export interface CompiledFirmware {
  path: string;
  filename: string;
  sha256: string;
  size: number;
  make: MakeResult;
}

// Where the tree leaves the firmware: <keyboard with _>_<keymap>.<hex|bin> at its root.
export const rootFirmwarePath = (p: PreparedJob) =>
  join(
    p.tree.root,
    `${p.request.keyboard.replaceAll("/", "_")}_${p.buildKeymap}.${firmwareExtension(p.toolchain)}`,
  );

export async function compile(
  p: PreparedJob,
  s: CompileSettings,
  signal?: AbortSignal,
): Promise<CompiledFirmware> {
  await mkdir(p.buildDir, { recursive: true });
  const make = await runMake({
    tree: p.tree.root,
    target: p.target,
    // SKIP_VERSION: real QMK trees embed the build time in version.h otherwise (QMK_BUILDDATE, and the
    // time again as CHIBIOS_VERSION when lib/chibios is no git checkout), so no two builds would be
    // byte-identical; the build cache needs them to be (edge-api jobs/build-cache.ts).
    vars: { BUILD_DIR: p.buildDir, SKIP_VERSION: "yes" },
    jobs: s.makeJobs,
    home: p.homeDir,
    timeoutMs: s.timeoutMs,
    maxLogBytes: s.maxLogBytes,
    sandbox: s.sandbox,
    signal,
    killGraceMs: s.killGraceMs,
  });
  if (make.aborted) throw signal?.reason ?? new Error("build aborted");
  if (make.timedOut) {
    throw new JobFailure(`the build took longer than ${formatDuration(s.timeoutMs)} and was stopped`, {
      returncode: make.returncode,
      output: make.output,
    });
  }
  if (make.returncode !== 0) {
    throw new JobFailure(`make exited with code ${make.returncode}`, {
      returncode: make.returncode,
      output: make.output,
    });
  }
  const built = rootFirmwarePath(p);
  const size = (await stat(built).catch(() => null))?.size;
  if (size === undefined) {
    throw new JobFailure(`make succeeded but left no ${built.slice(p.tree.root.length + 1)} in the tree`, {
      returncode: 1,
      output: make.output,
    });
  }
  if (size > ARTIFACT_MAX_BYTES.firmware) {
    throw new JobFailure(
      `the firmware is ${size} bytes; at most ${ARTIFACT_MAX_BYTES.firmware} can be uploaded`,
      {
        returncode: 1,
        output: make.output,
      },
    );
  }
  await mkdir(p.outDir, { recursive: true });
  const path = join(p.outDir, p.names.firmware);
  await moveFile(built, path);
  return { path, filename: p.names.firmware, sha256: await sha256File(path), size, make };
}

// The tree and the work dir may be on different file systems.
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}
