import { jsonDepthExceeds, LIMITS } from "@qmk-edge/schema";
import { escapeInput } from "./quote-input.ts";

export type JsonTextError = { kind: "too_large" | "malformed_json"; message: string };
export type JsonTextParse = { ok: true; value: unknown } | ({ ok: false } & JsonTextError);

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

const refuse = (kind: JsonTextError["kind"], message: string): JsonTextParse => ({
  ok: false,
  kind,
  message,
});

// The one reading of a JSON body (HTTP body, file, stdin), in this order: size (before anything else is
// done with it), then decodeCountedJson. Limits come from LIMITS (packages/schema).
export function decodeJsonText(
  body: string | Uint8Array,
  maxBytes: number = LIMITS.bodyBytes,
): JsonTextParse {
  const size = typeof body === "string" ? utf8Length(body) : body.byteLength;
  if (size > maxBytes) return refuse("too_large", `request is ${size} bytes; the limit is ${maxBytes} bytes`);
  return decodeCountedJson(body);
}

// A body whose size a reader already held to its limit as the bytes arrived (the edge API's streaming
// reader): UTF-8, a leading byte-order mark (editors on Windows write one), emptiness, nesting depth (deep
// JSON parses but overflows the stack later), syntax.
export function decodeCountedJson(body: string | Uint8Array): JsonTextParse {
  let text: string;
  if (typeof body === "string") {
    text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  } else {
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body);
    } catch {
      return refuse("malformed_json", "request is not valid UTF-8");
    }
  }
  if (text.trim() === "") return refuse("malformed_json", "request is empty; expected a JSON object");
  if (jsonDepthExceeds(text)) {
    return refuse("malformed_json", `request is nested deeper than ${LIMITS.jsonDepth} levels`);
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const detail = err instanceof Error ? escapeInput(err.message).slice(0, 200) : "parse error";
    return refuse("malformed_json", `request is not valid JSON: ${detail}`);
  }
}
