// The directory store's file format: a fixed-size JSON header (content type, size, sha256) padded with spaces
// and ended by a newline, then the bytes. Shared by the store (fs.ts) and its journal replay (fs-journal.ts).
import { createHash } from "node:crypto";
import { writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, sep } from "node:path";
import { UnavailableError } from "../../jobs/errors.ts";

export const HEADER_BYTES = 512;

export interface Header {
  content_type: string | null;
  size: number;
  sha256: string;
}

export const sha256Hex = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

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
  const json = Buffer.from(JSON.stringify(header), "utf8");
  if (json.byteLength > HEADER_BYTES - 1) throw new Error("blob metadata too long (content type?)");
  const out = Buffer.alloc(HEADER_BYTES, " ");
  json.copy(out);
  out[HEADER_BYTES - 1] = 0x0a;
  return out;
}

// A whole file: a header that parses and bytes of exactly its size and digest after it. What a crash can leave
// of a file renamed without its own fsync (empty, short, zeros) is not whole.
export function isWholeFile(file: Buffer): boolean {
  if (file.byteLength < HEADER_BYTES) return false;
  try {
    const header = JSON.parse(file.toString("utf8", 0, HEADER_BYTES)) as Header;
    const body = file.subarray(HEADER_BYTES);
    return body.byteLength === header.size && sha256Hex(body) === header.sha256;
  } catch {
    return false;
  }
}

// The journal's folder under the store's root, and the host part of its segments' names (fs-journal.ts).
export const JOURNAL_DIR = ".journal";
export const JOURNAL_HOST = encodeURIComponent(hostname());

export interface JournalEntry {
  key: string;
  contentType: string;
  sha256: string;
  text: string;
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
