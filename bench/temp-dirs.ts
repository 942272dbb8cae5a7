// The bench's own folders (an API's blobs, workerd's state) are removed when the bench process exits, not when
// their phase ends: on this disk (ext4 without a journal) every file create passes, one by one, each inode
// deleted in the last 60 s (360 s while its inode-table block is dirty) in its block group, so a phase that
// removed tens of thousands of files made the creates of the next phases dear (workerd's drain with 4 shards:
// 251 jobs/s alone on a quiet disk, 163-208 right after the Node drains had removed their folders). What the
// API itself deletes while measured still counts.
import { accessSync, constants, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir, removeDir } from "@qmk-edge/test/servers/daemon.ts";

const dirs = new Set<string>();

// A fresh folder of the bench's, removed when the bench exits; `memory`: in /dev/shm where the machine has it.
export function benchTempDir(prefix: string, where: "disk" | "memory" = "disk"): string {
  const dir =
    where === "memory" && writable(SHM) ? mkdtempSync(join(SHM, `qmk-edge-${prefix}-`)) : makeTempDir(prefix);
  if (dirs.size === 0) {
    process.once("exit", () => {
      for (const d of dirs) removeDir(d);
    });
    // A bench stopped with Ctrl-C (or killed politely) exits through the hook too: its folders, and the daemons
    // test/servers/daemon.ts started, would otherwise outlive it.
    process.once("SIGINT", () => process.exit(130));
    process.once("SIGTERM", () => process.exit(143));
  }
  dirs.add(dir);
  return dir;
}

const SHM = "/dev/shm";

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
