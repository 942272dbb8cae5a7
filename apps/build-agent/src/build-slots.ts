import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathExists } from "./path-exists.ts";

// A build slot is the dir one keyboard of one tree is built in, job after job (job-names.ts
// buildSlotDirs). Jobs of one slot take turns; jobs of different slots run side by side.
//
// A slot is trusted only as far as its last make succeeded: a marker is written before make starts and
// removed after it exits 0, so a build that failed, timed out or died with the agent leaves it behind,
// and the next job of the slot starts from an empty build dir instead of from half-written objects.

const UNFINISHED = ".qmk-edge-unfinished";

export class BuildSlots {
  readonly #tails = new Map<string, Promise<void>>();

  // Runs `fn` when no other job holds `slotDir`, then hands the slot on. Turns are taken in call order.
  async withSlot<T>(slotDir: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(slotDir) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => mine);
    this.#tails.set(slotDir, tail);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(slotDir) === tail) this.#tails.delete(slotDir);
    }
  }
}

// Before make: a slot whose previous build did not finish is emptied; then it is marked unfinished.
export async function openSlotBuild(slotDir: string, buildDir: string): Promise<{ reset: boolean }> {
  await mkdir(slotDir, { recursive: true });
  const marker = join(slotDir, UNFINISHED);
  const reset = await pathExists(marker);
  if (reset) await rm(buildDir, { recursive: true, force: true });
  await writeFile(marker, `${process.pid}\n`);
  await mkdir(buildDir, { recursive: true });
  return { reset };
}

// After make exited 0: the slot's objects can be built on.
export async function finishSlotBuild(slotDir: string): Promise<void> {
  await rm(join(slotDir, UNFINISHED), { force: true });
}

// After a failed build: nothing of it is kept.
export async function discardSlotBuild(buildDir: string): Promise<void> {
  await rm(buildDir, { recursive: true, force: true });
}
