import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

// One agent per work dir: its warm trees, job dirs and stale-file sweeps assume no one else is in there.

export class WorkDirBusyError extends Error {
  override name = "WorkDirBusyError";
}

export async function lockWorkDir(workDir: string): Promise<() => Promise<void>> {
  await mkdir(workDir, { recursive: true });
  const lock = join(workDir, "agent.pid");
  for (let tries = 0; tries < 2; tries++) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: "wx" });
      // Jobs of a previous run that was killed: their leases expire and the API re-queues them.
      await rm(join(workDir, "jobs"), { recursive: true, force: true });
      return () => rm(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number((await readFile(lock, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new WorkDirBusyError(
          `work dir ${workDir} is in use by another agent (pid ${pid}); give each agent its own --work-dir`,
        );
      }
      await rm(lock, { force: true });
    }
  }
  throw new WorkDirBusyError(`could not lock work dir ${workDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
