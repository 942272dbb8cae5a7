// A real, small tmpfs for tests of a full or read-only disk. Mounting needs root (CI runs as root); elsewhere
// the caller skips with the reason this module gives. Unmounted by the test, never left behind.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Tmpfs {
  dir: string;
  remount(mode: "ro" | "rw"): void;
  unmount(): void;
}

// Why tmpfs tests cannot run here, or null when they can.
export function tmpfsUnavailable(): string | null {
  if (process.platform !== "linux") return `tmpfs tests need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "tmpfs tests need root to mount a small tmpfs (CI runs as root)";
  return null;
}

export function mountTmpfs(sizeKiB: number): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), "qmk-edge-tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKiB}k,mode=0755`, "tmpfs", dir]);
  let mounted = true;
  return {
    dir,
    remount(mode) {
      execFileSync("mount", ["-o", `remount,${mode}`, dir]);
    },
    unmount() {
      if (mounted) execFileSync("umount", ["-l", dir]);
      mounted = false;
      rmdirSync(dir);
    },
  };
}
