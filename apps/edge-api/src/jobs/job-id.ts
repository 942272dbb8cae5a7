import { toHex } from "../bytes/hex.ts";

// Random bytes are drawn 4 KiB at a time (256 ids) and each byte is handed out once: one
// getRandomValues call per 256 ids rather than one per id, the same CSPRNG. Filled on first use, not at
// import (Workers refuse random values at global scope).
const POOL_BYTES = 4096;
const ID_BYTES = 16;
const pool = new Uint8Array(POOL_BYTES);
let used = POOL_BYTES;

// 128 random bits as 32 lower-case hex characters: job ids and lease ids.
export function newId(): string {
  if (used + ID_BYTES > POOL_BYTES) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  const id = toHex(pool.subarray(used, used + ID_BYTES));
  used += ID_BYTES;
  return id;
}
