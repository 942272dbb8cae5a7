// Nesting depth of JSON text, scanned without parsing. Deeply nested values parse fine but overflow the stack
// later (JSON.stringify, structuredClone), so bodies are refused before that. Works on UTF-8 bytes directly:
// the bytes it looks at ([ ] { } " \) never occur inside a multi-byte sequence.
import { LIMITS } from "./limits.ts";

export const MAX_JSON_DEPTH = LIMITS.jsonDepth;

export function jsonDepthExceeds(bytes: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > max) return true;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return false;
}
