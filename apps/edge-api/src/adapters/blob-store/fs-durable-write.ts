// The directory store's durable write (h19a's rules, issue 19), for every put that is not a journaled first
// write (fs.ts): the body streams to a temp file in the store's .tmp/ while it is hashed; every write is
// looped until the kernel took all of it (a full disk answers short writes before ENOSPC); the size and
// digest are checked against what the caller declared; the file is fsynced, its size on disk checked, then it
// is renamed into place and the folders holding it are fsynced. Anything short of that deletes the temp file
// instead of publishing it.
//
// A small body given whole (a record, a pointer: up to SMALL_BODY_BYTES) takes durableWriteSmall, with the same
// rules and fewer trips through libuv's thread pool (each a thread wake-up, ~0.05 ms of CPU on the machine this
// was measured on; h20r counted eleven per put): what only touches the page cache is synchronous (open "wx",
// the looped writes, fstat, close, rename; mkdir only when the folder is missing), and the two waits on the
// disk are one fsync of the file and one folder fsync shared with the other renames into that folder
// (fs-folder-sync.ts). Streams and large bodies keep durableWrite, whose writes would block the event loop.
import { createHash } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, unlinkSync } from "node:fs";
import { type FileHandle, open, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { UnavailableError } from "../../jobs/errors.ts";
import {
  type BlobBody,
  type BlobHead,
  BlobSizeError,
  DigestMismatchError,
  type PutOptions,
} from "../../ports/blob-store.ts";
import { chunksOf } from "./blob-body.ts";
import { type FolderSyncs, fsync } from "./fs-folder-sync.ts";
import { ancestors, encodeHeader, HEADER_BYTES, type Header, sha256Hex, writeAllSync } from "./fs-format.ts";

// Bodies up to this size, given whole, take durableWriteSmall.
export const SMALL_BODY_BYTES = 256 * 1024;

interface DurablePut {
  key: string;
  temp: string;
  path: string;
  maxBytes: number;
  folders: FolderSyncs;
  // Written in the header (fs-format.ts nextGeneration): above the file it replaces.
  generation: number;
}

export async function durableWriteSmall(
  put: DurablePut,
  body: Uint8Array,
  options: PutOptions,
): Promise<BlobHead> {
  const { key, temp, path } = put;
  const size = body.byteLength;
  // Checked before a temp file exists: nothing to remove if the caller's declaration is wrong.
  const limit = Math.min(options.size ?? put.maxBytes, put.maxBytes);
  if (size > limit) throw new BlobSizeError(`blob ${key} is larger than ${limit} bytes`);
  if (options.size !== undefined && size !== options.size) {
    throw new BlobSizeError(`blob ${key} has ${size} bytes, ${options.size} were declared`);
  }
  const sha256 = sha256Hex(body);
  if (options.sha256 !== undefined && options.sha256 !== sha256) {
    throw new DigestMismatchError(options.sha256, sha256);
  }
  const header = encodeHeader({
    content_type: options.contentType,
    size,
    sha256,
    generation: put.generation,
  });
  const bytes = Buffer.concat([header, body]);
  const fd = openSync(temp, "wx", 0o644);
  let open = true;
  let published = false;
  let durable: Promise<void> | undefined;
  try {
    // Looped until the kernel took every byte: a full disk answers short writes before ENOSPC.
    writeAllSync(fd, bytes);
    await fsync(fd);
    // What the disk holds, not what the writes said: only a file of exactly header + body is published.
    const onDisk = fstatSync(fd).size;
    if (onDisk !== bytes.byteLength) {
      throw new UnavailableError(`blob ${key}: the disk holds ${onDisk} of ${bytes.byteLength} bytes`);
    }
    open = false;
    closeSync(fd);
    durable = renameIntoPlace(temp, path, put.folders);
    published = true;
  } finally {
    if (!published) {
      try {
        if (open) closeSync(fd);
      } catch {}
      try {
        unlinkSync(temp);
      } catch {}
    }
  }
  await durable;
  return { size, contentType: options.contentType, sha256 };
}

// Renames the fsynced temp file to its key's path, making the key's folders when missing, and returns what
// must end before the put may resolve: a sync of the key's folder that started after the rename, and for
// every folder above it made lately (here or by another put of this process), the sync of that folder's parent
// that makes its entry durable (FolderSyncs.made). Synchronous up to the return: no other put can rename into a
// folder made here before it is registered.
function renameIntoPlace(temp: string, path: string, folders: FolderSyncs): Promise<void> {
  const folder = dirname(path);
  try {
    renameSync(temp, path);
    return folders.sync(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const created = mkdirSync(folder, { recursive: true });
  renameSync(temp, path);
  if (created !== undefined) {
    // Made here: `created` is the topmost new folder, and every folder from the key's up to it is new.
    // (`path` is absolute, the store root resolved, so `created` is spelled as a prefix of it.)
    const made = ancestors(created, path);
    // The key's folder's sync is asked for first, so a folder's sync starts before its parents'.
    const own = folders.sync(folder);
    return Promise.all([own, folders.made(made)]).then(() => {});
  }
  return folders.sync(folder);
}

export async function durableWrite(put: DurablePut, body: BlobBody, options: PutOptions): Promise<BlobHead> {
  const { key, temp, path } = put;
  const file = await open(temp, "wx", 0o644);
  let published = false;
  try {
    const hash = createHash("sha256");
    const limit = Math.min(options.size ?? put.maxBytes, put.maxBytes);
    let size = 0;
    for await (const chunk of chunksOf(body)) {
      if (size + chunk.byteLength > limit)
        throw new BlobSizeError(`blob ${key} is larger than ${limit} bytes`);
      hash.update(chunk);
      await writeFully(file, chunk, HEADER_BYTES + size);
      size += chunk.byteLength;
    }
    if (options.size !== undefined && size !== options.size) {
      throw new BlobSizeError(`blob ${key} has ${size} bytes, ${options.size} were declared`);
    }
    const sha256 = hash.digest("hex");
    if (options.sha256 !== undefined && options.sha256 !== sha256) {
      throw new DigestMismatchError(options.sha256, sha256);
    }
    const header: Header = { content_type: options.contentType, size, sha256, generation: put.generation };
    await writeFully(file, encodeHeader(header), 0);
    await file.sync();
    // What the disk holds, not what the writes said: only a file of exactly header + body is published.
    const onDisk = (await file.stat()).size;
    if (onDisk !== HEADER_BYTES + size) {
      throw new UnavailableError(`blob ${key}: the disk holds ${onDisk} of ${HEADER_BYTES + size} bytes`);
    }
    await file.close();
    const durable = renameIntoPlace(temp, path, put.folders);
    published = true;
    await durable;
    return { size, contentType: options.contentType, sha256 };
  } finally {
    if (!published) {
      await file.close().catch(() => {});
      await unlink(temp).catch(() => {});
    }
  }
}

// Loops until the kernel took every byte: a short write is not an error to Node, only to the object.
async function writeFully(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await file.write(bytes, done, bytes.byteLength - done, position + done);
    if (bytesWritten <= 0) throw new UnavailableError(`the disk took no bytes at offset ${position + done}`);
    done += bytesWritten;
  }
}
