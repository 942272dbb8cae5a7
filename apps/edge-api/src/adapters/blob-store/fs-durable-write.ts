// The directory store's durable write (h19a's rules, issue 19), for every put that is not a journaled first
// write (fs.ts): the body streams to a temp file in the store's .tmp/ while it is hashed; every write is
// looped until the kernel took all of it (a full disk answers short writes before ENOSPC); the size and
// digest are checked against what the caller declared; the file is fsynced, its size on disk checked, then it
// is renamed into place and the folders holding it are fsynced. Anything short of that deletes the temp file
// instead of publishing it.
import { createHash } from "node:crypto";
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises";
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
import { encodeHeader, HEADER_BYTES, type Header } from "./fs-format.ts";
import { syncDir } from "./fs-journal.ts";

export async function durableWrite(
  put: { key: string; temp: string; path: string; maxBytes: number },
  body: BlobBody,
  options: PutOptions,
): Promise<BlobHead> {
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
    const header: Header = { content_type: options.contentType, size, sha256 };
    await writeFully(file, encodeHeader(header), 0);
    await file.sync();
    // What the disk holds, not what the writes said: only a file of exactly header + body is published.
    const onDisk = (await file.stat()).size;
    if (onDisk !== HEADER_BYTES + size) {
      throw new UnavailableError(`blob ${key}: the disk holds ${onDisk} of ${HEADER_BYTES + size} bytes`);
    }
    await file.close();
    const created = await mkdir(dirname(path), { recursive: true });
    await rename(temp, path);
    published = true;
    // The rename (and any folder mkdir made) is durable only once the folders holding them are synced.
    await syncDir(dirname(path));
    if (created) await syncDir(dirname(created));
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
