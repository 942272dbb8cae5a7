import { copyFile, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ARTIFACT_MAX_BYTES } from "@qmk-edge/schema";
import { type MakeResult, type MakeSandbox, runMake } from "../build/make-runner.ts";
import { discardSlotBuild, finishSlotBuild, openSlotBuild } from "../build/slots.ts";
import { JobFailure } from "../job-failure.ts";
import { isBuiltFirmware, userFirmwareName } from "../job-names.ts";
import { formatDuration } from "../log.ts";
import { sha256File } from "../zip/packaging.ts";
import type { PreparedJob } from "./prepare.ts";

// Stage "compiling": QMK's own build of one keyboard and keymap, run as `qmk compile` runs it (make -f
// builddefs/build_keyboard.mk KEYBOARD=... KEYMAP=...), with the keymap dir pointed at the job's build
// slot. The slot's build dir is kept from job to job, so make recompiles only what the new keymap.c
// changes. Then the firmware make produced moves to the job's output dir under the name users expect.
// It is found, not predicted: QMK names it <keyboard folder>_<keymap>[_<converter>].<hex|bin|uf2> by
// rules of its own (converters, RP2040 -> uf2), and only the agent's keymap name is assumed.

export const BUILD_MAKEFILE = "builddefs/build_keyboard.mk";

export interface CompileSettings {
  sandbox: MakeSandbox;
  makeJobs: number;
  timeoutMs: number;
  maxLogBytes: number;
  killGraceMs?: number;
  // Told before each make whether the slot holds objects of an earlier finished build (agent metrics).
  onSlot?: (warm: boolean) => void;
}

export interface CompiledFirmware {
  path: string;
  filename: string;
  sha256: string;
  size: number;
  make: MakeResult;
  elf: string; // the linked image in the slot's build dir (until the slot's next job)
  resetSlot: boolean; // the slot's previous build had not finished, so this one started from nothing
}

// make's variables for the job: what `qmk compile` passes, minus TARGET (build_keyboard.mk derives it,
// converter included, in every tree since 2021), plus the keymap dir outside the tree and the job's id
// (read by nothing in QMK; it names the build in `ps`).
export function makeVariables(p: PreparedJob): Record<string, string> {
  const keymapPaths = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`MAIN_KEYMAP_PATH_${n}`, p.keymapDir]));
  return {
    KEYBOARD: p.folder.folder,
    KEYMAP: p.buildKeymap,
    ...keymapPaths,
    BUILD_DIR: p.buildDir,
    QMK_BIN: "qmk",
    // No userspace: an operator's qmk overlay_dir must not reach strangers' builds.
    QMK_USERSPACE: "",
    VERBOSE: "false",
    COLOR: "false",
    SILENT: "false",
    SKIP_GIT: "yes",
    // SKIP_VERSION: real QMK trees embed the build time in version.h otherwise (QMK_BUILDDATE, and the
    // time again as CHIBIOS_VERSION when lib/chibios is no git checkout), so no two builds would be
    // byte-identical; the build cache needs them to be (edge-api jobs/build-cache.ts).
    SKIP_VERSION: "yes",
    ...p.vars,
    QMK_EDGE_JOB: p.job.id,
  };
}

export function makeCommandLine(p: PreparedJob, makeJobs: number): string {
  const vars = Object.entries(makeVariables(p)).map(([k, v]) => `${k}=${v}`);
  return `make -r -R -j${makeJobs} -f ${BUILD_MAKEFILE} ${vars.join(" ")}`;
}

// Firmware files at the top of the slot's build dir (an ARM build leaves .bin and .hex).
async function builtFirmware(buildDir: string): Promise<string[]> {
  return (await readdir(buildDir).catch(() => [] as string[])).filter(isBuiltFirmware);
}

// QMK copies the one firmware file users flash to the tree root; the build dir may hold more formats.
// The copy's name says which; its bytes are read from this slot's build dir, which no other job writes.
async function chooseFirmware(p: PreparedJob, names: string[]): Promise<string | null> {
  if (names.length <= 1) return names[0] ?? null;
  const atRoot = new Set(await readdir(p.tree.root));
  const copied = names.find((n) => atRoot.has(n));
  if (copied) return copied;
  for (const ext of [".uf2", ".bin", ".hex"]) {
    const found = names.find((n) => n.endsWith(ext));
    if (found) return found;
  }
  return null;
}

// make's copies of these firmware files at the tree root. Done inside the slot's turn: the slot's next
// job makes copies of the same names.
async function removeRootCopies(treeRoot: string, names: string[]): Promise<void> {
  for (const name of names) await rm(join(treeRoot, name), { force: true });
}

export async function compile(
  p: PreparedJob,
  s: CompileSettings,
  signal?: AbortSignal,
): Promise<CompiledFirmware> {
  const hadObjects = (await readdir(p.buildDir).catch(() => [] as string[])).length > 0;
  const { reset } = await openSlotBuild(p.slotDir, p.buildDir);
  s.onSlot?.(hadObjects && !reset);
  // Left by the slot's previous job (an ARM build's .hex beside the .bin that was shipped).
  for (const name of await builtFirmware(p.buildDir)) await rm(join(p.buildDir, name), { force: true });
  const make = await runMake({
    tree: p.tree.root,
    makefile: BUILD_MAKEFILE,
    vars: makeVariables(p),
    jobs: s.makeJobs,
    home: p.homeDir,
    timeoutMs: s.timeoutMs,
    maxLogBytes: s.maxLogBytes,
    sandbox: s.sandbox,
    signal,
    killGraceMs: s.killGraceMs,
  });
  const built = await builtFirmware(p.buildDir);
  const ok = make.returncode === 0 && !make.aborted && !make.timedOut;
  const name = ok ? await chooseFirmware(p, built) : null;
  await removeRootCopies(p.tree.root, built);
  if (!ok) await discardSlotBuild(p.buildDir);
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
  await finishSlotBuild(p.slotDir);
  if (!name) {
    throw new JobFailure(
      `make succeeded but left no firmware file (*_${p.buildKeymap}*.hex, .bin or .uf2) in its build dir`,
      { returncode: 1, output: make.output },
    );
  }
  const file = join(p.buildDir, name);
  const { size } = await stat(file);
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
  const filename = userFirmwareName(name, p.request.keymap);
  const path = join(p.outDir, filename);
  await moveFile(file, path);
  const elf = join(p.buildDir, name.replace(/\.(hex|bin|uf2)$/, ".elf"));
  return { path, filename, sha256: await sha256File(path), size, make, elf, resetSlot: reset };
}

// The work dir and the out dir may be on different file systems.
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}
