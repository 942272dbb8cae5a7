// The directory store's journaled write of a small object (fs.ts): the journal already holds it, durably, so
// the file is only published whole. A record is a few KiB: synchronous calls, a handful of syscalls that wait
// on no disk, cost less than as many trips through libuv's thread pool.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { UnavailableError } from "../../jobs/errors.ts";
import { type BlobHead, BlobSizeError, type PutOptions } from "../../ports/blob-store.ts";
import { encodeHeader, sha256Hex } from "./fs-format.ts";
import type { GroupJournal } from "./fs-journal.ts";

// Durable once the journal's batch is synced; the file follows without an fsync of its own, and the put
// resolves only once it is published. A file that cannot be written is struck from the journal (aborted).
export async function journaledPut(
  journal: GroupJournal,
  put: { key: string; temp: string; path: string; text: string; options: PutOptions; maxBytes: number },
): Promise<BlobHead> {
  const { key, options } = put;
  const body = Buffer.from(put.text, "utf8");
  if (body.byteLength > put.maxBytes)
    throw new BlobSizeError(`blob ${key} is larger than ${put.maxBytes} bytes`);
  const sha256 = sha256Hex(body);
  await journal.append({ key, contentType: options.contentType, sha256, text: put.text }, put.path);
  try {
    const header = encodeHeader({ content_type: options.contentType, size: body.byteLength, sha256 });
    publishSync(key, put.temp, put.path, Buffer.concat([header, body]));
    return { size: body.byteLength, contentType: options.contentType, sha256 };
  } catch (err) {
    journal.abort(key);
    throw err;
  }
}

// Temp file, every byte taken and the size on disk checked, then renamed into place; never fsynced.
export function publishSync(key: string, temp: string, path: string, bytes: Buffer): void {
  const fd = openSync(temp, "wx", 0o644);
  let published = false;
  try {
    for (let done = 0; done < bytes.byteLength; ) {
      const n = writeSync(fd, bytes, done, bytes.byteLength - done, done);
      if (n <= 0) throw new UnavailableError(`the disk took no bytes at offset ${done}`);
      done += n;
    }
    const onDisk = fstatSync(fd).size;
    if (onDisk !== bytes.byteLength)
      throw new UnavailableError(`blob ${key}: the disk holds ${onDisk} of ${bytes.byteLength} bytes`);
    closeSync(fd);
    try {
      renameSync(temp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      // The key's folder does not exist yet (the journal's retirement syncs the folders it made).
      mkdirSync(dirname(path), { recursive: true });
      renameSync(temp, path);
    }
    published = true;
  } finally {
    if (!published) {
      try {
        closeSync(fd);
      } catch {}
      try {
        unlinkSync(temp);
      } catch {}
    }
  }
}
