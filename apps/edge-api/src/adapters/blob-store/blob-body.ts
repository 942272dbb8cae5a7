import type { BlobBody } from "../../ports/blob-store.ts";

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
