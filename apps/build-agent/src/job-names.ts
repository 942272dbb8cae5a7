import { createHash } from "node:crypto";
import { join } from "node:path";
import { type CompileRequest, keymapArchiveName, logFileName, sourceArchiveName } from "@qmk-edge/schema";

// Every name the agent gives a job, in one place: the keymap name make sees, the files QMK makes from
// it, the job's dirs under the work dir, the build slot it compiles in, and its artifacts' file names.
// A job that fails before or after its keymap is written gets the same names.

// The keymap name make sees, the same for every job. QMK puts it on every compile line
// (-DQMK_KEYMAP="<name>", QMK_KEYMAP_H) and into the object dir's name, so a name per job made every
// object of every job differ: no ccache hit, no incremental build. One name keeps a keyboard's objects
// identical from job to job and from agent to agent (two honest agents still agree byte for byte).
export const BUILD_KEYMAP = "qmk_edge";

// QMK names what it builds <keyboard folder>_<keymap>[_<converter>].<ext> and copies the firmware to
// the tree root; for the agent's keymap that is <folder_>_qmk_edge....
export const JOB_ROOT_FILE = new RegExp(`^[a-z0-9_]+_${BUILD_KEYMAP}(?:_[A-Za-z0-9_]+)?\\.(?:hex|bin|uf2)$`);

// Lines for the tree's .git/info/exclude: the agent's root firmware files are no dirty tree to QMK.
export const JOB_GIT_EXCLUDES = [`/*_${BUILD_KEYMAP}.*`, `/*_${BUILD_KEYMAP}_*.*`];

const FIRMWARE_FILE = new RegExp(`^(.+)_${BUILD_KEYMAP}((?:_[A-Za-z0-9_]+)?)\\.(hex|bin|uf2)$`);

// A firmware file make built for the agent's keymap (.hex, .bin or .uf2).
export const isBuiltFirmware = (name: string) => FIRMWARE_FILE.test(name);

// lily58_rev1_qmk_edge.hex -> lily58_rev1_<user keymap>.hex: the name qmk_compiler gives it.
export const userFirmwareName = (builtName: string, keymap: string) =>
  builtName.replace(
    FIRMWARE_FILE,
    (_all, kb: string, suffix: string, ext: string) => `${kb}_${keymap}${suffix}.${ext}`,
  );

// <work dir>/jobs/<id>: out (artifacts ready for upload), home (the build's HOME), elf (a copy of the
// linked image, kept only when asked for).
export function jobDirs(workDir: string, jobId: string) {
  const jobDir = join(workDir, "jobs", jobId);
  return {
    jobDir,
    outDir: join(jobDir, "out"),
    homeDir: join(jobDir, "home"),
    elfDir: join(jobDir, "elf"),
  };
}

// Where one keyboard (folder + converter) of one tree is built, job after job:
// <work dir>/builds/<tree key>/<folder with + for />[@<converter>]/ with keymap/ (the keymap dir make is pointed at)
// and build/ (BUILD_DIR: objects, ELF, firmware). It outlives jobs so make rebuilds only what the new
// keymap changes; jobs of one slot take turns (build/slots.ts).
export const buildSlotsRoot = (workDir: string) => join(workDir, "builds");

export function buildSlotDirs(workDir: string, tree: { root: string; version: string }, slot: string) {
  const treeKey = createHash("sha256").update(`${tree.root}\0${tree.version}`).digest("hex").slice(0, 16);
  const dir = join(buildSlotsRoot(workDir), treeKey, slot);
  return { slotDir: dir, keymapDir: join(dir, "keymap"), buildDir: join(dir, "build") };
}

// The slot's name: the keyboard folder and converter, which alone decide QMK's object dir ("+" for "/",
// which the keyboard grammar never has, so foo/bar and foo_bar stay apart).
export const buildSlotName = (folder: string, converter: string | undefined) =>
  `${folder.replaceAll("/", "+")}${converter ? `@${converter}` : ""}`;

// The artifacts' file names, from the request alone so a job that fails early names them as one that
// fails late does.
export const artifactNames = (request: Pick<CompileRequest, "keyboard" | "keymap">) => ({
  source: sourceArchiveName(request),
  keymap: keymapArchiveName(request),
  log: logFileName(request),
});
