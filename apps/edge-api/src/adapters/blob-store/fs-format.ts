// The directory store's file format: a fixed-size JSON header (content type, size, sha256, generation) padded
// with spaces and ended by a newline, then the bytes. Shared by the store (fs.ts) and its journal replay
// (fs-journal.ts).
import { hash } from "node:crypto";
import { closeSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, sep } from "node:path";
import { UnavailableError } from "../../jobs/errors.ts";

export const HEADER_BYTES = 512;

export interface Header {
  content_type: string | null;
  size: number;
  sha256: string;
  // The key's generation: every put writes one above the file it replaces (nextGeneration), so the journal's
  // replay can tell an older line from a newer file. A file without one (written before generations, or an
  // empty object linked to its template: fs-empty-links.ts) is generation 0.
  generation?: number;
  // The key, in files a journaled publish wrote: their inode may be reused for another key later
  // (fs-spare-inodes.ts), and a reader holding it open tells by this.
  key?: string;
}

// A descriptor of the file at `path` for reading, or null when there is no such file (or folder).
export function openIfExistsSync(path: string): number | null {
  try {
    return openSync(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw err;
  }
}

// The generation of the file at `path`, read synchronously (open, one read, close: the page cache's copy);
// null when there is no file, 0 when it has no generation or cannot be read as a header. A header naming
// another key is an inode reused since the open (fs-spare-inodes.ts): the path is opened again.
export function fileGeneration(path: string, key?: string): number | null {
  for (let attempt = 1; ; attempt++) {
    const read = headerAt(path);
    if (read === null || typeof read === "number") return read;
    if (key === undefined || read.key === undefined || read.key === key || attempt >= 5)
      return generationOf(read.text);
  }
}

function headerAt(path: string): { text: string; key: string | undefined } | number | null {
  let fd: number | null;
  try {
    fd = openIfExistsSync(path);
  } catch {
    return 0;
  }
  if (fd === null) return null;
  try {
    const buf = Buffer.allocUnsafe(HEADER_BYTES);
    const n = readSync(fd, buf, 0, HEADER_BYTES, 0);
    if (n !== HEADER_BYTES) return 0;
    const text = buf.toString("utf8", 0, HEADER_BYTES);
    return { text, key: keyOf(text) };
  } catch {
    return 0;
  } finally {
    closeSync(fd);
  }
}

function keyOf(headerText: string): string | undefined {
  try {
    const key = (JSON.parse(headerText) as Header).key;
    return typeof key === "string" ? key : undefined;
  } catch {
    return undefined;
  }
}

function generationOf(headerText: string): number {
  try {
    const generation = (JSON.parse(headerText) as Header).generation;
    return typeof generation === "number" && Number.isSafeInteger(generation) ? generation : 0;
  } catch {
    return 0;
  }
}

// The generation a put writes over a file of generation `current` (null: none): above it, and above the
// wall clock in microseconds. One above the file is what orders the puts of one key (its writers are
// serialized by the caller); the clock only separates a put from an earlier one that was never acknowledged
// and whose journal line may still be replayed (its file was not published, or its process died between the
// commit and the publish): the later put, made after it in time, gets the higher generation even though it
// read the same file. `floor`: a generation this process already used for the key and struck (fs.ts; -1: none).
// Above every generation this process gave before, too: a first write, which reads no file (fs.ts put), is
// still above an earlier put of this process when the clock stands still or steps back.
export function nextGeneration(current: number | null, floor = -1): number {
  const clock = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  lastGiven = Math.max((current ?? 0) + 1, floor + 1, clock, lastGiven + 1);
  return lastGiven;
}

let lastGiven = 0;

// One-shot (no Hash object), strings as UTF-8.
export const sha256Hex = (bytes: Uint8Array | string) => hash("sha256", bytes, "hex");

// Writes all of `bytes` from the file's start, looped until the kernel took every byte: a full disk answers
// short writes before ENOSPC, and a write that takes nothing would loop forever.
export function writeAllSync(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength; ) {
    const n = writeSync(fd, bytes, done, bytes.byteLength - done, done);
    if (n <= 0) throw new UnavailableError(`the disk took no bytes at offset ${done}`);
    done += n;
  }
}

export function encodeHeader(header: Header): Uint8Array {
  return writeHeader(Buffer.allocUnsafe(HEADER_BYTES), header);
}

// The header in `target`'s first HEADER_BYTES: its JSON, spaces, a newline.
function writeHeader(target: Buffer, header: Header): Buffer {
  const json = JSON.stringify(header);
  if (Buffer.byteLength(json, "utf8") > HEADER_BYTES - 1)
    throw new Error("blob metadata too long (content type?)");
  const end = target.write(json, 0, "utf8");
  target.fill(0x20, end, HEADER_BYTES - 1);
  target[HEADER_BYTES - 1] = 0x0a;
  return target;
}

// The file a journaled put of `text` publishes, header and bytes in one buffer. The header names the key:
// readers of an inode reused for another key tell it from their own (fs-spare-inodes.ts). The journal's line
// carries these same bytes (fs-journal.ts), so the text is encoded once; the line carried it again inside
// JSON (escaped, encoded a second time: about three times the CPU of this, 12 µs of a 2.5 KB record's put).
export function encodeFile(args: { key: string; contentType: string; generation: number; text: string }): {
  bytes: Buffer;
  size: number;
  sha256: string;
} {
  const size = Buffer.byteLength(args.text, "utf8");
  const bytes = Buffer.allocUnsafe(HEADER_BYTES + size);
  bytes.write(args.text, HEADER_BYTES, "utf8");
  const sha256 = sha256Hex(bytes.subarray(HEADER_BYTES));
  const header = { content_type: args.contentType, size, sha256, generation: args.generation, key: args.key };
  writeHeader(bytes, header);
  return { bytes, size, sha256 };
}

// A whole file: a header that parses and bytes of exactly its size and digest after it. What a crash can leave
// of a file renamed without its own fsync (empty, short, zeros) is not whole.
export function isWholeFile(file: Buffer): boolean {
  return wholeFileGeneration(file) !== null;
}

// The generation of a whole file (0 when its header has none); null when it is not whole, or names a key other
// than `key` (an inode reused for another key: fs-spare-inodes.ts).
export function wholeFileGeneration(file: Buffer, key?: string): number | null {
  if (file.byteLength < HEADER_BYTES) return null;
  try {
    const text = file.toString("utf8", 0, HEADER_BYTES);
    const header = JSON.parse(text) as Header;
    if (key !== undefined && header.key !== undefined && header.key !== key) return null;
    const body = file.subarray(HEADER_BYTES);
    if (body.byteLength !== header.size || sha256Hex(body) !== header.sha256) return null;
    return generationOf(text);
  } catch {
    return null;
  }
}

// The journal's folder under the store's root, and the host part of its segments' names (fs-journal.ts).
export const JOURNAL_DIR = ".journal";
export const JOURNAL_HOST = encodeURIComponent(hostname());

// A journal line's put: the key's file as the put wrote it (fs-journal.ts), header and bytes.
export interface JournalEntry {
  key: string;
  // The generation in the file's header (0 in lines written before generations).
  generation: number;
  file: Buffer;
}

// The key and generation of a whole file image whose header names its key (what the journal carries);
// null when it is not whole or names no key.
export function wholeFileEntry(file: Buffer): JournalEntry | null {
  if (file.byteLength < HEADER_BYTES) return null;
  let header: Header;
  try {
    header = JSON.parse(file.toString("utf8", 0, HEADER_BYTES)) as Header;
  } catch {
    return null;
  }
  if (typeof header.key !== "string") return null;
  const generation = wholeFileGeneration(file, header.key);
  return generation === null ? null : { key: header.key, generation, file };
}

// fsync of a file or folder by path, synchronously (start-up, a template's folder); nothing when it is gone.
export function fsyncPathSync(path: string): void {
  const fd = openIfExistsSync(path);
  if (fd === null) return;
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// The folders from the file's own up to the store's root: any of them may have been made by its put.
export function ancestors(root: string, file: string): string[] {
  const out: string[] = [];
  for (let dir = dirname(file); dir.startsWith(root + sep) || dir === root; dir = dirname(dir)) {
    out.push(dir);
    if (dir === root) break;
  }
  return out;
}

// A segment or template named `<host>~<pid>~...` whose process on this host is no longer running.
export function writerIsGone(name: string): boolean {
  const [host, pid] = name.split("~");
  if (host !== JOURNAL_HOST || !pid) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}
