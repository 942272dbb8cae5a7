import { toHex } from "../bytes/hex.ts";

// 128 random bits as 32 lower-case hex characters: job ids and lease ids.
export function newId(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}
