import { copyFile, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ARTIFACT_MAX_BYTES } from "@qmk-edge/schema";
import { JobFailure } from "../job-failure.ts";
import { isJobFirmware, isJobRootFile, userFirmwareName } from "../job-names.ts";
import { formatDuration } from "../log.ts";
import { type MakeResult, type MakeSandbox, runMake } from "../make-runner.ts";
import { sha256File } from "../packaging.ts";
import type { PreparedJob } from "./prepare.ts";

// Stage "compiling": `make <folder>:qe_<jobid> BUILD_DIR=<job build dir>` in the warm tree, then the
// firmware file make actually produced moves to the job's output dir under the name users expect. It is
// found, not predicted: QMK names it <keyboard folder>_<keymap>[_<converter>].<hex|bin|uf2> by rules of
// its own (DEFAULT_FOLDER, converters, RP2040 -> uf2), and only the job's unique keymap name is assumed.

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

// Files of this job at the tree root: QMK copies the firmware there (any name holding qe_<jobid>).
export async function rootJobFiles(p: PreparedJob): Promise<string[]> {
  const entries = await readdir(p.tree.root);
  return entries.filter((name) => isJobRootFile(name, p.job.id)).map((name) => join(p.tree.root, name));
}

// The newest firmware file of this job, at the tree root or else at the top of its build dir.
async function findFirmware(p: PreparedJob): Promise<{ path: string; name: string } | null> {
  let best: { path: string; name: string; mtimeMs: number } | null = null;
  for (const dir of [p.tree.root, p.buildDir]) {
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => isJobFirmware(n, p.job.id));
    for (const name of names) {
      const st = await stat(join(dir, name)).catch(() => null);
      if (st?.isFile() && (!best || st.mtimeMs > best.mtimeMs))
        best = { path: join(dir, name), name, mtimeMs: st.mtimeMs };
    }
    if (best) return best;
  }
  return null;
}

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
    vars: { BUILD_DIR: p.buildDir, SKIP_VERSION: "yes", ...p.vars },
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
  const built = await findFirmware(p);
  if (!built) {
    throw new JobFailure(
      `make succeeded but left no firmware file (*_${p.buildKeymap}*.hex, .bin or .uf2) in the tree or its build dir`,
      { returncode: 1, output: make.output },
    );
  }
  const { size } = await stat(built.path);
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
  const filename = userFirmwareName(built.name, p.request.keymap);
  const path = join(p.outDir, filename);
  await moveFile(built.path, path);
  return { path, filename, sha256: await sha256File(path), size, make };
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
