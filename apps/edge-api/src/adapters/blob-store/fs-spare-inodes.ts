// Inodes a journaled publish replaced, kept to be the next publishes' temp files (fs-publish-sync.ts), so a
// record overwritten in steady state makes and frees no inode. On ext4 without a journal (this project's test
// machine) the allocator skips every inode freed in the last ~30 s, one buffer lookup each, so at a few
// hundred overwrites a second making a file cost more than all else a job does (docs/architecture.md).
// Before a publish renames its temp over a key's file, that file gets a second name here (a link); after the
// rename that name is the inode's only one, and a later publish opens it (no create), truncates it and writes
// the new object into it. Readers in other processes may still hold the inode open from when it was the key's:
// every file so written names its key in the header, and a reader that finds another key, or bytes that are not
// the header's size and sha256, opens the key again (readSmallFileText). A spare is reused only after
// spareMinAge.ms (1 s), so that takes a reader descheduled that long between its open and its read. An inode that
// has another name too (an empty object's template, fs-empty-links.ts) is never written: its spare name is
// removed. Spares live in .spare/, named after their process like the journal's segments; a dead process's
// are removed at the next start, this process's at close.
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { JOURNAL_HOST, writerIsGone } from "./fs-format.ts";

export const SPARE_DIR = ".spare";
// How long an inode stays spare before it is written again (an object, so tests can set it).
export const spareMinAge = { ms: 1_000 };
// More than a second's worth of overwrites at the rates measured; past it a replaced inode is freed as before.
const MAX_SPARES = 4_096;

let instances = 0;

export class SpareInodes {
  readonly #dir: string;
  readonly #prefix =
    `${JOURNAL_HOST}~${process.pid}~${Date.now().toString(36)}${(instances++).toString(36)}~`;
  // Oldest first, with when each became spare.
  readonly #spares: { path: string; since: number }[] = [];
  #head = 0;
  #made = 0;
  readonly stats = { reused: 0, kept: 0 };

  constructor(root: string) {
    this.#dir = join(root, SPARE_DIR);
    mkdirSync(this.#dir, { recursive: true });
    for (const name of readdirSync(this.#dir)) {
      if (writerIsGone(name)) removeQuietly(join(this.#dir, name));
    }
  }

  get size(): number {
    return this.#spares.length - this.#head;
  }

  // A spare old enough, opened for writing and emptied; null when there is none (the caller creates a file).
  take(now = Date.now()): { path: string; fd: number } | null {
    while (this.size > 0) {
      const oldest = this.#spares[this.#head]!;
      if (now - oldest.since < spareMinAge.ms) return null;
      this.#shift();
      let fd: number | null = null;
      try {
        fd = openSync(oldest.path, "r+");
        if (fstatSync(fd).nlink !== 1) throw new Error("linked elsewhere");
        ftruncateSync(fd, 0);
        this.stats.reused++;
        return { path: oldest.path, fd };
      } catch {
        if (fd !== null) closeSync(fd);
        removeQuietly(oldest.path);
      }
    }
    return null;
  }

  // Gives the file at `path` (about to be replaced) a spare name; null when there is none or no room.
  keep(path: string): string | null {
    if (this.size >= MAX_SPARES) return null;
    const spare = join(this.#dir, `${this.#prefix}${(this.#made++).toString(36)}`);
    try {
      linkSync(path, spare);
      return spare;
    } catch {
      return null;
    }
  }

  // `spare` (from keep) now holds the replaced inode: it joins the pool.
  add(spare: string, now = Date.now()): void {
    this.#spares.push({ path: spare, since: now });
    this.stats.kept++;
  }

  drop(spare: string): void {
    removeQuietly(spare);
  }

  close(): void {
    while (this.size > 0) removeQuietly(this.#shift().path);
  }

  #shift(): { path: string; since: number } {
    const first = this.#spares[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#spares.length) {
      this.#spares.splice(0, this.#head);
      this.#head = 0;
    }
    return first;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {}
}
