import { join } from "node:path";
import { type CompileRequest, keymapArchiveName, logFileName, sourceArchiveName } from "@qmk-edge/schema";

// Every name the agent gives a job, in one place: its keymap in the shared tree (qe_<job id>), the
// files QMK makes from that keymap, the job's dirs under the work dir, and its artifacts' file names.
// A job that fails before or after its keymap is written gets the same names.

// The keymap name make sees: keyboards/<folder>/keymaps/qe_<job id>, unique so parallel jobs in one
// tree stay apart.
export const jobKeymapName = (jobId: string) => `qe_${jobId}`;

// A job's keymap dir, whichever job it was (a killed agent's leftovers are swept with it).
export const JOB_KEYMAP_DIR = /^qe_[0-9a-f]{32}$/;

// QMK names what it builds <keyboard folder>_<keymap>[_<converter>].<ext> and copies the firmware to the
// tree root; for a job's keymap that is <folder_>_qe_<job id>....
export const JOB_ROOT_FILE = /_qe_[0-9a-f]{32}/;
export const isJobRootFile = (name: string, jobId: string) => name.includes(`_${jobKeymapName(jobId)}`);

// Lines for the tree's .git/info/exclude: a job's keymap dir and root files are no dirty tree to QMK.
export const JOB_GIT_EXCLUDES = ["keyboards/**/keymaps/qe_*/", "/*_qe_*.*"];

const FIRMWARE_FILE = /^(.+)_(qe_[0-9a-f]{32})((?:_[A-Za-z0-9_]+)?)\.(hex|bin|uf2)$/;

// A firmware file make built for this job's keymap (.hex, .bin or .uf2).
export const isJobFirmware = (name: string, jobId: string) =>
  FIRMWARE_FILE.exec(name)?.[2] === jobKeymapName(jobId);

// lily58_rev1_qe_<id>.hex -> lily58_rev1_<user keymap>.hex: the name qmk_compiler gives it.
export const userFirmwareName = (builtName: string, keymap: string) =>
  builtName.replace(
    FIRMWARE_FILE,
    (_all, kb: string, _km, suffix: string, ext: string) => `${kb}_${keymap}${suffix}.${ext}`,
  );

// <work dir>/jobs/<id>: build (BUILD_DIR), out (artifacts ready for upload), home (the build's HOME).
export function jobDirs(workDir: string, jobId: string) {
  const jobDir = join(workDir, "jobs", jobId);
  return {
    jobDir,
    buildDir: join(jobDir, "build"),
    outDir: join(jobDir, "out"),
    homeDir: join(jobDir, "home"),
  };
}

// The artifacts' file names, from the request alone so a job that fails early names them as one that
// fails late does.
export const artifactNames = (request: Pick<CompileRequest, "keyboard" | "keymap">) => ({
  source: sourceArchiveName(request),
  keymap: keymapArchiveName(request),
  log: logFileName(request),
});
