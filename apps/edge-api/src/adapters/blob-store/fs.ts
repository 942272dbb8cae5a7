// The embedded blob store: one file per key under a directory, for a self-hosted API with no S3.
// Each file starts with a fixed-size JSON header (content type, size, sha256) followed by the bytes, so an
// object and its metadata are replaced together by one rename (or one link): readers see the old object or the
// new one, never half of either. A put is durable before it resolves: by its own fsyncs (fs-durable-write.ts),
// or, for a first write or a serialized overwrite of small text, by a line of the group-committed journal
// (fs-journal.ts) after which the file is published whole (fs-publish-sync.ts; an empty object as a link to a
// shared template, fs-empty-links.ts). Each file's header holds its key's generation, so the journal's replay
// never writes an older line over a newer put.
// A disk that cannot take a write (full, read-only, quota, I/O error) is an UnavailableError (503, retry),
// never a half-written object.
import { randomBytes } from "node:crypto";
import { createReadStream, mkdirSync, statfsSync } from "node:fs";
import { type FileHandle, open, readdir, unlink } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { UnavailableError } from "../../jobs/errors.ts";
import type {
  BlobBody,
  BlobHead,
  BlobObject,
  BlobStore,
  PutOptions,
  ReadOptions,
} from "../../ports/blob-store.ts";
import { isBytes, toBytes } from "./blob-body.ts";
import { durableWrite, durableWriteSmall, SMALL_BODY_BYTES } from "./fs-durable-write.ts";
import { EmptyObjectLinks, KeyTakenError } from "./fs-empty-links.ts";
import { FolderSyncs } from "./fs-folder-sync.ts";
import { fileGeneration, HEADER_BYTES, type Header, nextGeneration } from "./fs-format.ts";
import { GroupJournal, type JournalOptions } from "./fs-journal.ts";
import { replayJournals } from "./fs-journal-replay.ts";
import { journaledPut, readSmallFileText } from "./fs-publish-sync.ts";
import { SpareInodes } from "./fs-spare-inodes.ts";
import { VerifiedReads } from "./fs-verified-reads.ts";

const TEMP_DIR = ".tmp";
// Path segments of safe characters; "." and ".." and empty segments are refused before any path is built.
const KEY_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._@+=-]{0,254}$/;

export class InvalidBlobKeyError extends Error {
  override name = "InvalidBlobKeyError";
}

// errno codes of a disk that cannot take (or give back) bytes now: the operator's problem, the client retries.
const UNAVAILABLE_CODES = new Set([
  "ENOSPC",
  "EDQUOT",
  "EROFS",
  "EIO",
  "EMFILE",
  "ENFILE",
  "ENOMEM",
  "EAGAIN",
]);

// How old countKeys' count of a counted folder's keys that are files of their own may be.
export const FILE_KEYS_RECOUNT_MS = 30_000;

export class FsBlobStore implements BlobStore {
  readonly root: string;
  readonly maxBytes: number;

  readonly #journal: GroupJournal | null = null;
  readonly #empty: EmptyObjectLinks | null = null;
  readonly #spares: SpareInodes | null = null;
  // The folder fsyncs after a durable write's rename, shared by the renames into one folder.
  readonly #folderSyncs: FolderSyncs;
  // Temp names of journaled writes: unique in this process, created exclusively ("wx") in case of a clash.
  readonly #tempPrefix = `${process.pid}-${randomBytes(6).toString("hex")}-`;
  // What getText last found to be each small object's own bytes (fs-verified-reads.ts).
  readonly #verified = new VerifiedReads();
  #temps = 0;
  // Per counted folder: its keys that are files of their own, and when that was listed (countKeys).
  readonly #fileKeys = new Map<string, { at: number; count: number }>();
  // The root and its temp folder as path prefixes (ending in a separator).
  readonly #rootPrefix: string;
  readonly #tempPrefixPath: string;

  // `journal`: first writes and serialized overwrites of small text (PutOptions.firstWrite, .serialized) go
  // through the group-committed journal (fs-journal.ts);
  // the journal left by an earlier run is replayed here, before the store serves anything.
  // `syncFolder`: tests hold or count the folder fsyncs through it (fs-folder-sync.ts).
  constructor(
    root: string,
    options: {
      maxBytes?: number;
      journal?: boolean | JournalOptions;
      syncFolder?: (dir: string) => Promise<void>;
      // Top folders whose keys countKeys counts without listing them (with a journal: their empty keys are
      // links, fs-empty-links.ts).
      countedFolders?: string[];
    } = {},
  ) {
    this.root = resolve(root);
    this.#rootPrefix = this.root.endsWith(sep) ? this.root : this.root + sep;
    this.#tempPrefixPath = join(this.root, TEMP_DIR) + sep;
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
    this.#folderSyncs = new FolderSyncs(options.syncFolder);
    mkdirSync(join(this.root, TEMP_DIR), { recursive: true });
    if (options.journal) {
      const replay = replayJournals(this.root, (key) => this.pathOf(key), join(this.root, TEMP_DIR));
      if (replay.rewritten > 0)
        console.log(
          `blob store journal: ${replay.rewritten} of ${replay.entries} entries rewritten at start`,
        );
      this.#journal = new GroupJournal(this.root, options.journal === true ? {} : options.journal);
      this.#empty = new EmptyObjectLinks(this.root, join(this.root, TEMP_DIR), options.countedFolders);
      this.#spares = new SpareInodes(this.root);
    }
  }

  async close(): Promise<void> {
    await this.#journal?.close();
    this.#empty?.close();
    this.#spares?.close();
  }

  // getText reads that found bytes already verified (fs-verified-reads.ts).
  verifiedReadHits(): number {
    return this.#verified.hits;
  }

  // The journal's commits and lines so far (null without a journal).
  journalStats(): { commits: number; lines: number } | null {
    return this.#journal ? { ...this.#journal.stats } : null;
  }

  // Files (inodes) the journal's retirement fsynced so far (null without a journal).
  journalFileSyncs(): number | null {
    return this.#journal ? this.#journal.retired.fileSyncs : null;
  }

  pathOf(key: string): string {
    if (key.length > 1024) throw new InvalidBlobKeyError("blob key too long");
    const segments = key.split("/");
    if (!segments.every((s) => KEY_SEGMENT.test(s)))
      throw new InvalidBlobKeyError(`invalid blob key: ${key}`);
    // Every segment is a name (none empty, none "." or "..": KEY_SEGMENT), so the key is a normalised relative
    // path inside the root already; path.resolve re-normalised it on every read and write.
    return this.#rootPrefix + (sep === "/" ? key : segments.join(sep));
  }

  async get(key: string): Promise<BlobObject | null> {
    const file = await unavailableOnDiskError(key, openIfExists(this.pathOf(key)));
    if (!file) return null;
    try {
      const header = await readHeader(file);
      const stream = createReadStream("", { fd: file, start: HEADER_BYTES, autoClose: true });
      const body = Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
      return { body, size: header.size, contentType: header.content_type, sha256: header.sha256 };
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  // Records and pointers are a few KiB: one read of the header and the bytes together, no stream, with
  // synchronous calls (open, read, close of a file the page cache holds cost less than three trips through
  // libuv's thread pool).
  async getText(key: string, options?: ReadOptions): Promise<string | null> {
    const path = this.pathOf(key);
    const read = async () => readSmallFileText(path, key, this.#verified, options?.likelyMissing);
    return await unavailableOnDiskError(key, read());
  }

  async head(key: string): Promise<BlobHead | null> {
    const file = await unavailableOnDiskError(key, openIfExists(this.pathOf(key)));
    if (!file) return null;
    try {
      const header = await readHeader(file);
      return { size: header.size, contentType: header.content_type, sha256: header.sha256 };
    } finally {
      await file.close();
    }
  }

  // Every put writes a generation above the file it replaces (fs-format.ts nextGeneration), read here
  // synchronously: puts of one key must be serialized by the caller (job records are, under the job lock) for
  // the last one to win; unserialized concurrent puts of one key have no defined order (as without a journal).
  async put(key: string, body: BlobBody, options: PutOptions): Promise<BlobHead> {
    const path = this.pathOf(key);
    // A first write's key was never written (a new job's id, its markers): no file is looked for, as a lookup
    // in a folder of thousands of records cost about 20 µs of CPU, twice per POST; its generation is above
    // the clock and every one this process gave (nextGeneration). An empty one is a link, which finds a file
    // there if there is one (a marker written again by a retried completion): that line is struck and the
    // put made again as an ordinary put, above the file it replaces.
    const current = options.firstWrite ? null : fileGeneration(path, key);
    if (this.#journal && journaled(body, options)) {
      const text = body as string;
      // An empty object where there is no file is a link to its template, of generation 0 (unless this process
      // struck a line of the key, maybe of generation 0 too: the abort would strike the new line as well).
      const floor = this.#journal.struckFloor(key);
      const generation =
        this.#empty && text === "" && current === null && floor < 0 ? 0 : nextGeneration(current, floor);
      const temp = `${this.#tempPrefixPath}${this.#tempPrefix}${(this.#temps++).toString(36)}.part`;
      const put = journaledPut(this.#journal, this.#empty, this.#spares, {
        key,
        temp,
        path,
        text,
        options,
        maxBytes: this.maxBytes,
        generation,
        replaces: current !== null,
      });
      try {
        return await unavailableOnDiskError(key, put);
      } catch (err) {
        if (!(err instanceof KeyTakenError)) throw err;
        return await this.put(key, body, { ...options, firstWrite: false });
      }
    }
    const generation = nextGeneration(current, this.#journal?.struckFloor(key));
    const temp = join(this.root, TEMP_DIR, `${randomBytes(12).toString("hex")}.part`);
    const put = { key, temp, path, maxBytes: this.maxBytes, folders: this.#folderSyncs, generation };
    const bytes = isBytes(body) ? toBytes(body) : null;
    const write =
      bytes && bytes.byteLength <= SMALL_BODY_BYTES
        ? durableWriteSmall(put, bytes, options)
        : durableWrite(put, bytes ?? body, options);
    return await unavailableOnDiskError(key, write);
  }

  // What statfs says an unprivileged writer may still use on the store's disk. Synchronous: statfs reads
  // the superblock's counters, waits on no disk, and is asked on every new job (jobs' 503 reserve).
  async freeBytes(): Promise<number> {
    const fs = await unavailableOnDiskError("(statfs)", (async () => statfsSync(this.root))());
    return fs.bavail * fs.bsize;
  }

  // A counted folder's keys are its templates' links now (a stat each) and the keys that are files of their
  // own (written before templates were kept, restored by a replay, a marker put again) as of its last listing,
  // at most FILE_KEYS_RECOUNT_MS ago. Other folders are listed.
  async countKeys(prefix: string): Promise<number> {
    const folder = prefix.slice(0, -1);
    const empty = this.#empty;
    if (!empty?.counts(folder)) return (await this.list(prefix)).length;
    return await unavailableOnDiskError(`(count of ${prefix})`, this.#countLinked(empty, prefix, folder));
  }

  async #countLinked(empty: EmptyObjectLinks, prefix: string, folder: string): Promise<number> {
    const files = this.#fileKeys.get(folder);
    if (files && Date.now() - files.at < FILE_KEYS_RECOUNT_MS) return empty.linkedKeys(folder) + files.count;
    const at = Date.now();
    const listed = (await this.list(prefix)).length;
    const linked = empty.linkedKeys(folder);
    this.#fileKeys.set(folder, { at, count: Math.max(0, listed - linked) });
    return Math.max(listed, linked);
  }

  async delete(key: string): Promise<void> {
    await unlink(this.pathOf(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
  }

  async list(prefix: string): Promise<string[]> {
    if (!prefix.endsWith("/"))
      throw new InvalidBlobKeyError(`list needs a folder prefix ending in '/': ${prefix}`);
    const entries = await readdir(this.pathOf(prefix.slice(0, -1)), { withFileTypes: true }).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT" || err.code === "ENOTDIR") return [];
        throw err;
      },
    );
    return entries.filter((e) => e.isFile() && KEY_SEGMENT.test(e.name)).map((e) => `${prefix}${e.name}`);
  }
}

// A disk that cannot take or give back bytes now becomes a 503 naming the condition, not a 500.
async function unavailableOnDiskError<T>(key: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code && UNAVAILABLE_CODES.has(code)) {
      throw new UnavailableError(`the blob store cannot store ${key} now (${code}); retry shortly`, {
        cause: err,
      });
    }
    throw err;
  }
}

// What goes through the journal: text up to SMALL_BODY_BYTES with no declared digest or size, written for the
// first time or by a caller that serializes the key's writers (PutOptions).
function journaled(body: BlobBody, options: PutOptions): boolean {
  if (typeof body !== "string" || options.sha256 !== undefined || options.size !== undefined) return false;
  if (!options.firstWrite && !options.serialized) return false;
  // UTF-8 takes at most 3 bytes per UTF-16 unit; only a long text is measured.
  return body.length * 3 <= SMALL_BODY_BYTES || Buffer.byteLength(body, "utf8") <= SMALL_BODY_BYTES;
}

async function openIfExists(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw err;
  }
}

async function readHeader(file: FileHandle): Promise<Header> {
  const buf = Buffer.alloc(HEADER_BYTES);
  const { bytesRead } = await file.read(buf, 0, HEADER_BYTES, 0);
  if (bytesRead !== HEADER_BYTES) throw new Error("corrupt blob file: short header");
  return JSON.parse(buf.toString("utf8")) as Header;
}
