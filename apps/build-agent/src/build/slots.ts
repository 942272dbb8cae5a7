import { mkdir, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../log.ts";
import { pathExists } from "../path-exists.ts";

// A build slot is the dir one keyboard of one tree is built in, job after job (job-names.ts
// buildSlotDirs). Jobs of one slot take turns; jobs of different slots run side by side. At most `max`
// slots are kept: after a job, the least recently used ones no job holds or waits for go (a slot is
// 1-10 MB, a tree has thousands of keyboards).
//
// A slot is trusted only as far as its last make succeeded: a marker is written before make starts and
// removed after it exits 0, so a build that failed, timed out or died with the agent leaves it behind,
// and the next job of the slot starts from an empty build dir instead of from half-written objects.

const UNFINISHED = ".qmk-edge-unfinished";

export interface SlotLimit {
  root: string; // <work dir>/builds: <tree key>/<slot> below it
  max: number;
  log: Logger;
}

export class BuildSlots {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #limit: SlotLimit | null;
  // Order of last use in this process (file times can tie within a millisecond); slots left by an earlier
  // run are older than all of these and ordered by their dir's mtime.
  readonly #lastUse = new Map<string, number>();
  #uses = 0;

  constructor(limit: SlotLimit | null = null) {
    this.#limit = limit;
  }

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
      // Its time of last use, which eviction goes by.
      const now = new Date();
      await utimes(slotDir, now, now).catch(() => {});
      this.#lastUse.set(slotDir, ++this.#uses);
      release();
      if (this.#tails.get(slotDir) === tail) this.#tails.delete(slotDir);
      await this.#evict().catch((err: unknown) =>
        this.#limit?.log.warn("could not remove old build slots", { problem: String(err) }),
      );
    }
  }

  async #evict(): Promise<void> {
    if (!this.#limit) return;
    const { root, max, log } = this.#limit;
    const slots: Array<{ dir: string; used: number }> = [];
    for (const treeKey of await readdir(root).catch((): string[] => [])) {
      for (const slot of await readdir(join(root, treeKey)).catch((): string[] => [])) {
        const dir = join(root, treeKey, slot);
        const st = await stat(dir).catch(() => null);
        if (st?.isDirectory()) slots.push({ dir, used: st.mtimeMs });
      }
    }
    let excess = slots.length - max;
    if (excess <= 0) return;
    const order = (s: { dir: string; used: number }) => this.#lastUse.get(s.dir) ?? Number.NEGATIVE_INFINITY;
    const oldestFirst = slots.sort((a, b) => order(a) - order(b) || a.used - b.used);
    for (const { dir } of oldestFirst) {
      if (excess <= 0) break;
      if (this.#tails.has(dir)) continue;
      await rm(dir, { recursive: true, force: true });
      this.#lastUse.delete(dir);
      log.debug("removed the least recently used build slot", { slot: dir });
      excess--;
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
