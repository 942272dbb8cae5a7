// The directory store's write-ahead journal for small text puts that are first writes (a new job's record, its
// open marker, a served marker: the hot path of POST /v1/compile) or overwrites the caller serializes (a job's
// record under its job lock: lease, heartbeat, completion). Instead of an fsync of its own file and folder
// (about 0.4-0.8 ms of CPU each on the machine this was measured on), a put appends one line to the journal and
// waits for the group commit: every put that arrives while a commit is in flight joins the next one, and one
// fdatasync makes a whole batch durable. Only then is the object's file written (temp + rename, no fsync), and
// only then does the put resolve, so an acknowledged object is always in a synced journal.
//
// Journals are segments, one process writing each (.journal/<host>~<pid>~<instance>~<n>.log). A segment takes
// appends for a few seconds, then is retired well after the kernel's own writeback (30 s) has written its
// files: each file and folder it names is fsynced (cheap once clean; whatever the path holds now, of the line's
// generation or a later one), then the segment is deleted. At start, every segment found is replayed before the
// store serves (fs-journal-replay.ts): per key, the line of the highest generation across all segments is
// written again, durably, when the file is missing, not whole (what a power cut can leave of a file renamed
// without fsync) or of a lower generation (a rename the power cut undid); a whole file of the line's generation
// or a later one is never touched. A line that is torn or fails its digest ends its segment: it was never
// acknowledged, since nothing after a failed commit is appended to that segment. A put whose commit failed, or
// whose file could not be published after it, answers 503 and strikes its line (an abort line naming its key and
// generation, in this writer's next commit).
import { closeSync, fdatasync as fdatasyncCallback, fstatSync, openSync, writevSync } from "node:fs";
import { type FileHandle, open, unlink } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { fsyncFolder } from "./fs-folder-sync.ts";
import { ancestors, JOURNAL_DIR, JOURNAL_HOST, type JournalEntry } from "./fs-format.ts";

export interface JournalOptions {
  // A segment takes appends until it holds this many bytes or is this old ...
  segmentBytes?: number;
  segmentMs?: number;
  // ... and is retired (its files fsynced, then deleted) this long after its last append.
  retireAfterMs?: number;
}

interface Segment {
  path: string;
  bytes: number;
  openedAt: number;
  files: Set<string>;
}

interface Waiter {
  // The line's bytes, encoded when it is appended: a commit writes a batch's buffers as they are (writev), where
  // joining the batch's strings (a few hundred KiB at 50 puts of 2.5 KB records) and encoding the result cost
  // about six times as much CPU per line.
  line: Buffer[];
  file: string | null;
  resolve(): void;
  reject(err: unknown): void;
}

let instances = 0;

export class GroupJournal {
  readonly #dir: string;
  readonly #root: string;
  readonly #name = `${JOURNAL_HOST}~${process.pid}~${Date.now().toString(36)}${(instances++).toString(36)}`;
  readonly #segmentBytes: number;
  readonly #segmentMs: number;
  readonly #retireAfterMs: number;
  #seq = 0;
  #current: Segment | null = null;
  #pending: Waiter[] = [];
  #flushing: Promise<void> | null = null;
  readonly #retiring = new Set<NodeJS.Timeout>();
  readonly #struck = new Map<string, number>();
  readonly #rotator: NodeJS.Timeout;

  constructor(root: string, options: JournalOptions = {}) {
    this.#root = root;
    this.#dir = join(root, JOURNAL_DIR);
    this.#segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024;
    this.#segmentMs = options.segmentMs ?? 10_000;
    this.#retireAfterMs = options.retireAfterMs ?? 35_000;
    this.#rotator = setInterval(() => {
      if (!this.#flushing && this.#current && Date.now() - this.#current.openedAt >= this.#segmentMs)
        this.#rotate();
    }, this.#segmentMs);
    this.#rotator.unref();
  }

  // Resolves once the entry is on disk (fdatasync of the batch holding it); the caller writes the file after.
  // The line is `["f",<bytes>]`, a newline, the file's bytes as the put publishes them (header naming the key
  // and generation, then the object: fs-format.ts encodeFile), a newline.
  append(entry: JournalEntry, file: string): Promise<void> {
    const line = [lineBytes(["f", entry.file.byteLength]), entry.file, NEWLINE];
    return new Promise((resolve, reject) => {
      this.#pending.push({ line, file, resolve, reject });
      this.#startFlush();
    });
  }

  // The entry's commit failed, or its file could not be written after it (the caller answered 503): replay must
  // not write it. Strikes the key's line of that generation in this writer's segments; this process never uses
  // that generation for the key again (struckFloor), so the abort strikes no later put.
  abort(key: string, generation: number): void {
    if ((this.#struck.get(key) ?? -1) < generation) this.#struck.set(key, generation);
    const line = [lineBytes(["a", key, generation])];
    this.#pending.push({ line, file: null, resolve: () => {}, reject: () => {} });
    this.#startFlush();
  }

  // The highest generation struck for `key` in this process (-1: none), forgotten once asked: the next put of
  // the key writes a generation above it.
  struckFloor(key: string): number {
    if (this.#struck.size === 0) return -1;
    const floor = this.#struck.get(key) ?? -1;
    this.#struck.delete(key);
    return floor;
  }

  // Commits start a microtask later, so every put of the same tick joins the first one.
  #startFlush(): void {
    this.#flushing ??= Promise.resolve().then(() => this.#flush());
  }

  // What the journal did, for tests and the benchmark: commits (fdatasyncs) and the lines they made durable.
  readonly stats = { commits: 0, lines: 0 };

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        try {
          const segment = await this.#segment();
          const parts = batch.length === 1 ? batch[0]!.line : batch.flatMap((w) => w.line);
          // Opened per commit: a writer held open between commits would keep the disk from being remounted
          // read-only, and costs more to keep than one open per batch. Open, append and close are synchronous
          // (they wait on no disk: the bytes go to the page cache); only the fdatasync goes to libuv's pool.
          const fd = openSync(segment.path, "a");
          try {
            segment.bytes += appendFully(fd, parts);
            await fdatasync(fd);
          } finally {
            closeSync(fd);
          }
          this.stats.commits++;
          this.stats.lines += batch.length;
          for (const w of batch) if (w.file) segment.files.add(w.file);
          for (const w of batch) w.resolve();
        } catch (err) {
          // Part of the batch may be on disk: the segment takes nothing more, so no acknowledged line ever
          // follows a torn one. Lines before it were acknowledged and stay.
          if (this.#current) this.#rotate();
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.#flushing = null;
    }
  }

  async #segment(): Promise<Segment> {
    const current = this.#current;
    if (current && current.bytes < this.#segmentBytes && Date.now() - current.openedAt < this.#segmentMs)
      return current;
    if (current) this.#rotate();
    const path = join(this.#dir, `${this.#name}~${this.#seq++}.log`);
    await (await open(path, "ax", 0o644)).close();
    try {
      // The segment's name must survive a power cut as well as its lines.
      await fsyncFolder(this.#dir);
    } catch (err) {
      await unlink(path).catch(() => {});
      throw err;
    }
    this.#current = { path, bytes: 0, openedAt: Date.now(), files: new Set() };
    return this.#current;
  }

  #rotate(): void {
    const segment = this.#current;
    if (!segment) return;
    this.#current = null;
    const timer = setTimeout(() => {
      this.#retiring.delete(timer);
      void this.#retire(segment);
    }, this.#retireAfterMs);
    timer.unref();
    this.#retiring.add(timer);
  }

  // The segment's promises are handed to the files themselves: each file, then each folder up to the root.
  // Each inode is fsynced once: the empty objects linked to one template (fs-empty-links.ts) share theirs.
  async #retire(segment: Segment): Promise<void> {
    try {
      const dirs = new Set<string>();
      const inodes = new Set<string>();
      for (const file of segment.files) {
        if (await this.#syncFile(file, inodes)) for (const dir of ancestors(this.#root, file)) dirs.add(dir);
      }
      for (const dir of dirs) await fsyncFolder(dir);
      await unlink(segment.path);
    } catch (err) {
      // Kept: the next start replays it.
      console.error(`journal segment ${segment.path} not retired: ${(err as Error).message}`);
    }
  }

  // Waits for commits in flight; segments not yet retired stay on disk for the next start's replay.
  async close(): Promise<void> {
    clearInterval(this.#rotator);
    while (this.#flushing) await this.#flushing;
    for (const timer of this.#retiring) clearTimeout(timer);
    this.#retiring.clear();
    this.#current = null;
  }

  // false: the file is gone (its write failed after the commit, or it was deleted since).
  async #syncFile(path: string, inodes: Set<string>): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw err;
    }
    try {
      const { dev, ino } = fstatSync(handle.fd);
      const inode = `${dev}:${ino}`;
      if (inodes.has(inode)) return true;
      inodes.add(inode);
      await handle.sync();
      this.retired.fileSyncs++;
      return true;
    } finally {
      await handle.close();
    }
  }

  // What retirement did, for tests: files (inodes) fsynced.
  readonly retired = { fileSyncs: 0 };
}

const lineBytes = (fields: unknown[]) => Buffer.from(`${JSON.stringify(fields)}\n`, "utf8");
const NEWLINE = Buffer.from("\n");

// What one writev may be given (Linux's IOV_MAX).
const IOV_MAX = 1024;

// Appends every byte of `parts`, in order, looped until the kernel took them all (a full disk answers short
// writes before ENOSPC). Returns the bytes written.
function appendFully(fd: number, parts: Buffer[]): number {
  let total = 0;
  for (let first = 0; first < parts.length; first += IOV_MAX) {
    let chunk = parts.slice(first, first + IOV_MAX);
    let left = chunk.reduce((n, b) => n + b.byteLength, 0);
    total += left;
    while (left > 0) {
      const written = writevSync(fd, chunk);
      if (written <= 0) throw Object.assign(new Error("the journal took no bytes"), { code: "EIO" });
      left -= written;
      if (left > 0) chunk = afterBytes(chunk, written);
    }
  }
  return total;
}

// `parts` without their first `n` bytes.
function afterBytes(parts: Buffer[], n: number): Buffer[] {
  let skip = n;
  let i = 0;
  while (skip >= parts[i]!.byteLength) skip -= parts[i++]!.byteLength;
  return [parts[i]!.subarray(skip), ...parts.slice(i + 1)];
}

const fdatasync = promisify(fdatasyncCallback);
