// The directory store's small objects (fs.ts): the journaled write (the journal already holds the object,
// durably, so the file is only published whole) and the whole read. A record is a few KiB: synchronous
// calls, a handful of syscalls that wait on no disk, cost less than as many trips through libuv's threads.
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { dirname } from "node:path";
import { UnavailableError } from "../../jobs/errors.ts";
import { type BlobHead, BlobSizeError, type PutOptions } from "../../ports/blob-store.ts";
import type { EmptyObjectLinks } from "./fs-empty-links.ts";
import {
  encodeFile,
  HEADER_BYTES,
  type Header,
  openIfExistsSync,
  sha256Hex,
  writeAllSync,
} from "./fs-format.ts";
import type { GroupJournal } from "./fs-journal.ts";
import type { SpareInodes } from "./fs-spare-inodes.ts";
import type { VerifiedReads } from "./fs-verified-reads.ts";

// Durable once the journal's batch is synced; the file follows without an fsync of its own (an empty object
// written where there was no file, as a link to its template of generation 0: no new file), and the put
// resolves only once it is published. A put whose commit failed, or whose file cannot be written after it, is
// struck from the journal (aborted).
export async function journaledPut(
  journal: GroupJournal,
  empty: EmptyObjectLinks | null,
  spares: SpareInodes | null,
  put: {
    key: string;
    temp: string;
    path: string;
    text: string;
    options: PutOptions;
    maxBytes: number;
    // fs-format.ts nextGeneration; 0 with `empty` for an empty object where there was no file.
    generation: number;
    // The put found a file at `path` (fs.ts read its generation): the file it replaces becomes a spare.
    replaces: boolean;
  },
): Promise<BlobHead> {
  const { key, options, generation } = put;
  // One encoding for the journal's line and the file: the line is the file's bytes (a journaled text is at
  // most SMALL_BODY_BYTES, fs.ts, so it is encoded before its size is known).
  const file = encodeFile({ key, contentType: options.contentType, generation, text: put.text });
  if (file.size > put.maxBytes) throw new BlobSizeError(`blob ${key} is larger than ${put.maxBytes} bytes`);
  const head = { size: file.size, contentType: options.contentType, sha256: file.sha256 };
  const linked = empty !== null && file.size === 0 && generation === 0;
  try {
    await journal.append({ key, generation, file: file.bytes }, put.path);
  } catch (err) {
    // Not acknowledged, yet its bytes may have reached the segment: struck where the journal still can be.
    journal.abort(key, generation);
    throw err;
  }
  try {
    if (linked) empty.publish(options.contentType, key, put.path);
    else publishSync(key, put.temp, put.path, file.bytes, spares, put.replaces ? spares : null);
    return head;
  } catch (err) {
    journal.abort(key, generation);
    throw err;
  }
}

// Temp file (a spare inode when `spares` has one old enough, else a new file), every byte taken and the size
// on disk checked, then renamed into place; never fsynced. The file it replaces becomes a spare. `replacing`:
// the spares to keep that file in, null when the caller found no file there (a first write: no link is tried,
// which failed with a thrown ENOENT, about 11 µs of CPU, on every new job's record and every cache hit's).
export function publishSync(
  key: string,
  newTemp: string,
  path: string,
  bytes: Buffer,
  spares: SpareInodes | null = null,
  replacing: SpareInodes | null = spares,
): void {
  const reused = spares?.take() ?? null;
  const temp = reused?.path ?? newTemp;
  const fd = reused?.fd ?? openSync(temp, "wx", 0o644);
  let published = false;
  let kept: string | null = null;
  try {
    writeAllSync(fd, bytes);
    const onDisk = fstatSync(fd).size;
    if (onDisk !== bytes.byteLength)
      throw new UnavailableError(`blob ${key}: the disk holds ${onDisk} of ${bytes.byteLength} bytes`);
    closeSync(fd);
    kept = replacing?.keep(path) ?? null;
    try {
      renameSync(temp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      // The key's folder does not exist yet (the journal's retirement syncs the folders it made).
      mkdirSync(dirname(path), { recursive: true });
      renameSync(temp, path);
    }
    published = true;
    if (kept) replacing?.add(kept);
  } finally {
    if (!published) {
      try {
        closeSync(fd);
      } catch {}
      try {
        unlinkSync(temp);
      } catch {}
      if (kept) replacing?.drop(kept);
    }
  }
}

// getText reads this much at once, so a record of a few KiB takes one read.
const SMALL_READ_BYTES = 16 * 1024;

// The text after the header, or null when there is no such file. As get() streams it: the bytes after the
// header up to the end of the file, so a truncated object reads as what is left (and fails its parse as
// damage) rather than as an error of its own; a header that is not JSON throws, as get() does.
// A file that names another key in its header, or whose bytes are not its header's, is an inode reused since
// this read opened it (fs-spare-inodes.ts): the key is opened again.
// `verified`: bytes read before and found the key's own give their text again without a second look.
// `likelyMissing`: a stat first, which answers a missing file without the thrown ENOENT of an open (about 3
// µs of CPU where the throw costs 11); a file that is there costs the stat more.
export function readSmallFileText(
  path: string,
  key: string,
  verified?: VerifiedReads,
  likelyMissing = false,
): string | null {
  if (likelyMissing && !mayExist(path)) return null;
  for (let attempt = 1; ; attempt++) {
    const bytes = readSmallFileBytes(path);
    if (bytes === null) return null;
    const known = verified?.textOf(path, key, bytes);
    if (known != null) return known;
    const read = { header: bytes.byteLength < HEADER_BYTES ? null : parsedHeader(bytes), all: bytes };
    const own = ownBytes(read, key);
    if (attempt < REREADS && !own) continue;
    // As before spares: a file too short for a header, or a header that is not JSON, throws.
    if (read.all.byteLength < HEADER_BYTES) throw new Error("corrupt blob file: short header");
    JSON.parse(read.all.toString("utf8", 0, HEADER_BYTES));
    const text = read.all.toString("utf8", HEADER_BYTES);
    // Only bytes that are the key's own are kept: a damaged file is looked at afresh every time.
    if (own && verified) verified.keep(path, key, Buffer.from(bytes), text);
    return text;
  }
}

// False only when stat says there is no such file; anything else (a folder where a file should be, a disk
// error) is left to the open, which tells those apart as it always did.
function mayExist(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true;
  }
}

// How often a read opens the key again before it takes what it finds (as damage, as before spares).
const REREADS = 5;

function ownBytes({ header, all }: { header: Header | null; all: Buffer }, key: string): boolean {
  // Too short for a header, or not JSON: what a reader sees of an inode being rewritten (or damage).
  if (header === null) return false;
  if (header.key === undefined) return true;
  if (header.key !== key || all.byteLength - HEADER_BYTES !== header.size) return false;
  return sha256Hex(all.subarray(HEADER_BYTES)) === header.sha256;
}

function parsedHeader(all: Buffer): Header | null {
  try {
    return JSON.parse(all.toString("utf8", 0, HEADER_BYTES)) as Header;
  } catch {
    return null;
  }
}

// A small object is read into this buffer, reused by every read: reads are synchronous, and what is kept or
// returned of it is copied (a string, or VerifiedReads' copy) before the next read.
const scratch = Buffer.allocUnsafe(SMALL_READ_BYTES);

// The file's bytes (a view of `scratch` when they fit in it), or null when there is no such file.
function readSmallFileBytes(path: string): Buffer | null {
  const fd = openIfExistsSync(path);
  if (fd === null) return null;
  try {
    const first = readSync(fd, scratch, 0, SMALL_READ_BYTES, 0);
    // A regular file reads short only at its end.
    if (first < SMALL_READ_BYTES) return scratch.subarray(0, first);
    const chunks: Buffer[] = [Buffer.from(scratch)];
    let position = first;
    for (let size = SMALL_READ_BYTES * 4; ; size *= 4) {
      const buf = Buffer.allocUnsafe(size);
      const bytesRead = readSync(fd, buf, 0, size, position);
      chunks.push(buf.subarray(0, bytesRead));
      position += bytesRead;
      if (bytesRead < size) break;
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}
