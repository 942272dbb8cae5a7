// The embedded blob store: one file per key under a directory, for a self-hosted API with no S3.
// Each file starts with a fixed-size JSON header (content type, size, sha256) followed by the bytes, so an
// object and its metadata are replaced together by one rename: readers see the old object or the new one,
// never half of either. Writes stream to a temp file in the same directory tree while hashing, and a digest
// mismatch deletes the temp file instead of publishing it.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, mkdirSync } from "node:fs";
import { type FileHandle, mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import {
  type BlobBody,
  type BlobHead,
  type BlobObject,
  BlobSizeError,
  type BlobStore,
  DigestMismatchError,
  type PutOptions,
} from "../../ports/blob-store.ts";
import { chunksOf } from "./blob-body.ts";

const HEADER_BYTES = 512;
// getText reads this much at once, so a record of a few KiB takes one read.
const SMALL_READ_BYTES = 16 * 1024;
const TEMP_DIR = ".tmp";
// Path segments of safe characters; "." and ".." and empty segments are refused before any path is built.
const KEY_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._@+=-]{0,254}$/;

interface Header {
  content_type: string | null;
  size: number;
  sha256: string;
}

export class InvalidBlobKeyError extends Error {
  override name = "InvalidBlobKeyError";
}

export class FsBlobStore implements BlobStore {
  readonly root: string;
  readonly maxBytes: number;

  constructor(root: string, options: { maxBytes?: number } = {}) {
    this.root = resolve(root);
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
    mkdirSync(join(this.root, TEMP_DIR), { recursive: true });
  }

  pathOf(key: string): string {
    if (key.length > 1024) throw new InvalidBlobKeyError("blob key too long");
    const segments = key.split("/");
    if (!segments.every((s) => KEY_SEGMENT.test(s)))
      throw new InvalidBlobKeyError(`invalid blob key: ${key}`);
    const path = resolve(this.root, ...segments);
    if (!path.startsWith(this.root + sep))
      throw new InvalidBlobKeyError(`blob key escapes the store: ${key}`);
    return path;
  }

  async get(key: string): Promise<BlobObject | null> {
    const file = await openIfExists(this.pathOf(key));
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

  // Records and pointers are a few KiB: one read of the header and the bytes together, no stream.
  async getText(key: string): Promise<string | null> {
    const file = await openIfExists(this.pathOf(key));
    if (!file) return null;
    try {
      const first = Buffer.allocUnsafe(SMALL_READ_BYTES);
      const { bytesRead } = await file.read(first, 0, SMALL_READ_BYTES, 0);
      if (bytesRead < HEADER_BYTES) throw new Error("corrupt blob file: short header");
      const header = JSON.parse(first.toString("utf8", 0, HEADER_BYTES)) as Header;
      const end = HEADER_BYTES + header.size;
      if (end <= bytesRead) return first.toString("utf8", HEADER_BYTES, end);
      const rest = Buffer.allocUnsafe(end - bytesRead);
      const more = await file.read(rest, 0, rest.byteLength, bytesRead);
      if (more.bytesRead !== rest.byteLength)
        throw new Error("corrupt blob file: shorter than its header says");
      return Buffer.concat([first.subarray(HEADER_BYTES, bytesRead), rest]).toString("utf8");
    } finally {
      await file.close();
    }
  }

  async head(key: string): Promise<BlobHead | null> {
    const file = await openIfExists(this.pathOf(key));
    if (!file) return null;
    try {
      const header = await readHeader(file);
      return { size: header.size, contentType: header.content_type, sha256: header.sha256 };
    } finally {
      await file.close();
    }
  }

  async put(key: string, body: BlobBody, options: PutOptions): Promise<BlobHead> {
    const path = this.pathOf(key);
    const temp = join(this.root, TEMP_DIR, `${randomBytes(12).toString("hex")}.part`);
    const file = await open(temp, "wx", 0o644);
    let published = false;
    try {
      const hash = createHash("sha256");
      const limit = Math.min(options.size ?? this.maxBytes, this.maxBytes);
      let size = 0;
      let position = HEADER_BYTES;
      for await (const chunk of chunksOf(body)) {
        size += chunk.byteLength;
        if (size > limit) throw new BlobSizeError(`blob ${key} is larger than ${limit} bytes`);
        hash.update(chunk);
        await file.write(chunk, 0, chunk.byteLength, position);
        position += chunk.byteLength;
      }
      if (options.size !== undefined && size !== options.size) {
        throw new BlobSizeError(`blob ${key} has ${size} bytes, ${options.size} were declared`);
      }
      const sha256 = hash.digest("hex");
      if (options.sha256 !== undefined && options.sha256 !== sha256) {
        throw new DigestMismatchError(options.sha256, sha256);
      }
      const header: Header = { content_type: options.contentType, size, sha256 };
      await file.write(encodeHeader(header), 0, HEADER_BYTES, 0);
      await file.sync();
      await file.close();
      await mkdir(dirname(path), { recursive: true });
      await rename(temp, path);
      published = true;
      return { size, contentType: options.contentType, sha256 };
    } finally {
      if (!published) {
        await file.close().catch(() => {});
        await unlink(temp).catch(() => {});
      }
    }
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

async function openIfExists(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw err;
  }
}

function encodeHeader(header: Header): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  if (json.byteLength > HEADER_BYTES - 1) throw new Error("blob metadata too long (content type?)");
  const out = Buffer.alloc(HEADER_BYTES, " ");
  json.copy(out);
  out[HEADER_BYTES - 1] = 0x0a;
  return out;
}

async function readHeader(file: FileHandle): Promise<Header> {
  const buf = Buffer.alloc(HEADER_BYTES);
  const { bytesRead } = await file.read(buf, 0, HEADER_BYTES, 0);
  if (bytesRead !== HEADER_BYTES) throw new Error("corrupt blob file: short header");
  return JSON.parse(buf.toString("utf8")) as Header;
}
