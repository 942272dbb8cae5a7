import { hash } from "node:crypto";

// Deps.sha256Hex on Node: hashed on the calling thread (Web Crypto's digest would be a thread-pool job, a
// wake-up dearer than hashing a few kilobytes), one-shot (no Hash object: 1.9 µs for 2.5 KB where createHash
// took 2.5). Same bytes as bytes/sha256-hex.ts: strings as UTF-8.
export function nodeSha256Hex(data: string | Uint8Array): Promise<string> {
  return Promise.resolve(hash("sha256", data, "hex"));
}
