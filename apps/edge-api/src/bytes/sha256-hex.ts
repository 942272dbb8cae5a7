import { toHex } from "./hex.ts";

// sha256 through Web Crypto (Workers and Node alike), as lower-case hex.
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}
