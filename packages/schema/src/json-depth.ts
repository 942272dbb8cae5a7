// Nesting depth of JSON text, scanned without parsing. Deeply nested values parse fine but overflow the stack
// later (JSON.stringify, structuredClone), so bodies are refused before that. Works on UTF-8 bytes and on text
// directly (no re-encoding): the characters it looks at ([ ] { } " \) are ASCII, and never occur inside a
// multi-byte sequence or a surrogate pair.
import { LIMITS } from "./limits.ts";

export function jsonDepthExceeds(json: Uint8Array | string, max: number = LIMITS.jsonDepth): boolean {
  const at = typeof json === "string" ? (i: number) => json.charCodeAt(i) : (i: number) => json[i];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const b = at(i);
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
