import { concatBytes } from "../../bytes/concat-bytes.ts";
import { type BlobBody, BlobSizeError } from "../../ports/blob-store.ts";

// The body kinds the BlobStore port accepts, as what the Node adapters (fs, S3) need: bytes or a stream.

export function isBytes(body: BlobBody): body is Uint8Array | string {
  return typeof body === "string" || body instanceof Uint8Array;
}

export function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === "string" ? new TextEncoder().encode(body) : body;
}

export async function* chunksOf(body: BlobBody): AsyncGenerator<Uint8Array> {
  if (isBytes(body)) {
    yield toBytes(body);
    return;
  }
  for await (const chunk of body) yield chunk;
}

// A stream of unknown size, read whole up to `limit` bytes (S3 refuses a PUT without Content-Length).
export async function collectBytes(body: BlobBody, limit: number, key: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunksOf(body)) {
    size += chunk.byteLength;
    if (size > limit) throw new BlobSizeError(`blob ${key} is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return concatBytes(chunks, size);
}
