// The directory store's folder fsyncs after a rename (fs-durable-write.ts), shared: one fsync of a folder
// makes durable every rename into it that happened before that fsync started, so puts renaming into the same
// folder (jobs/, the records of a busy API) wait together for one sync instead of each making its own.
//
// The rule, and why a put may not ride on the sync already in flight: a put calls sync(dir) right after its
// rename. A sync in flight may have started before that rename (its fsync may already have run on a pool
// thread), so it proves nothing about it. So a caller never joins the sync in flight: it joins the *next* one
// (created on the first call that finds none pending), which starts only when the one in flight has ended, and
// starts by taking its batch out of `next` in the same synchronous step that issues its fsync. Every caller in
// a batch therefore called sync(), i.e. renamed, before that batch's fsync was issued, and no put resolves
// before a folder sync that started after its rename. A folder with nothing in flight starts a microtask
// later, so the renames of one tick share it. A failed sync rejects its whole batch (the put answers 503;
// the file is published but was never acknowledged, as with today's one-put-one-sync).
import { closeSync, fsync as fsyncCallback, openSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";

export const fsync = promisify(fsyncCallback);

interface Batch {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

interface Folder {
  inFlight: boolean;
  next: Batch | null;
}

// One trip through libuv's pool: open and close of a folder wait on no disk.
export async function fsyncFolder(dir: string): Promise<void> {
  const fd = openSync(dir, "r");
  try {
    await fsync(fd);
  } finally {
    closeSync(fd);
  }
}

export class FolderSyncs {
  readonly #folders = new Map<string, Folder>();
  // Folders made lately, each with the promise that its entry in its parent is durable. A put into such a
  // folder (or below it) waits for that too, even when another put made it: the fsync of its own folder does
  // not make the folder itself reachable after a power cut. (Folders made by another process sharing the
  // directory are not known here.)
  readonly #made = new Map<string, Promise<void>>();
  readonly #syncFolder: (dir: string) => Promise<void>;
  // For tests and the benchmark: folder fsyncs started, and the sync() calls they served.
  readonly stats = { syncs: 0, waiters: 0 };

  // `syncFolder`: tests hold or count the fsyncs through it.
  constructor(syncFolder: (dir: string) => Promise<void> = fsyncFolder) {
    this.#syncFolder = syncFolder;
  }

  // Call only after the rename (or mkdir) into `dir`: resolves once a fsync of `dir` that started after this
  // call has ended.
  sync(dir: string): Promise<void> {
    const own = this.#syncOnce(dir);
    if (this.#made.size === 0) return own;
    const above: Promise<void>[] = [];
    for (let d = dir; ; d = dirname(d)) {
      const entry = this.#made.get(d);
      if (entry) above.push(entry);
      if (dirname(d) === d) break;
    }
    return above.length === 0 ? own : Promise.all([own, ...above]).then(() => {});
  }

  // `dirs` were just made (each folder from a key's up to the topmost new one): the sync of each one's parent
  // makes its entry durable. Returns when all have ended; until then a put into any of them waits for it too.
  // The parents' syncs are plain ones (not waiting on made folders themselves), so no wait is circular.
  made(dirs: string[]): Promise<void> {
    const entries = Promise.all(dirs.map((dir) => this.#syncOnce(dirname(dir)))).then(() => {});
    const forget = () => {
      for (const dir of dirs) if (this.#made.get(dir) === entries) this.#made.delete(dir);
    };
    for (const dir of dirs) this.#made.set(dir, entries);
    entries.then(forget, forget);
    return entries;
  }

  #syncOnce(dir: string): Promise<void> {
    let folder = this.#folders.get(dir);
    if (!folder) {
      folder = { inFlight: false, next: null };
      this.#folders.set(dir, folder);
    }
    this.stats.waiters++;
    if (folder.next) return folder.next.promise;
    const batch = newBatch();
    folder.next = batch;
    const f = folder;
    if (!f.inFlight) queueMicrotask(() => this.#start(dir, f));
    return batch.promise;
  }

  #start(dir: string, folder: Folder): void {
    const batch = folder.next;
    if (!batch) return;
    // Taken out of `next` in the same step as the fsync is issued: a later caller starts a new batch.
    folder.next = null;
    folder.inFlight = true;
    this.stats.syncs++;
    let sync: Promise<void>;
    try {
      sync = this.#syncFolder(dir);
    } catch (err) {
      sync = Promise.reject(err);
    }
    sync.then(batch.resolve, batch.reject).finally(() => {
      folder.inFlight = false;
      if (folder.next) this.#start(dir, folder);
      else this.#folders.delete(dir);
    });
  }
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
