import { createHash } from "node:crypto";

// Deps.sha256Hex on Node: hashed on the calling thread (Web Crypto's digest would be a thread-pool job, a
// wake-up dearer than hashing a few kilobytes). Same bytes as bytes/sha256-hex.ts: strings as UTF-8.
export function nodeSha256Hex(data: string | Uint8Array): Promise<string> {
  return Promise.resolve(createHash("sha256").update(data).digest("hex"));
}
