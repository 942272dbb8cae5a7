import {
  type CompileRequest,
  compileRequest,
  type FieldError,
  fieldErrors,
  jsonDepthExceeds,
  LIMITS,
} from "@qmk-edge/schema";
import { parseKeycode, renderKeycode } from "./keycode.ts";
import { capFieldErrors, keycodeFieldError } from "./keymap-layers.ts";
import { escapeInput } from "./quote-input.ts";

// too_large maps to 413, the other two to 400; `errors` always names the fields at fault ("" is the body).
export type RequestErrorKind = "too_large" | "malformed_json" | "invalid";

export type CompileRequestParse =
  | { ok: true; value: CompileRequest }
  | { ok: false; kind: RequestErrorKind; errors: FieldError[] };

// "layers.10.2" after "layers.9.5": numeric segments compare as numbers.
function comparePaths(a: string, b: string): number {
  const as = a.split(".");
  const bs = b.split(".");
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i]!;
    const y = bs[i]!;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

// The layers as sent, when the schema refused the body: keycode errors are still worth reporting in the
// same answer. Bounded by LIMITS, since an unchecked body may hold anything.
function rawLayers(body: unknown): unknown[][] {
  if (typeof body !== "object" || body === null || !("layers" in body)) return [];
  const { layers } = body;
  if (!Array.isArray(layers)) return [];
  return layers
    .slice(0, LIMITS.layers)
    .map((layer) => (Array.isArray(layer) ? layer.slice(0, LIMITS.keysPerLayer) : []));
}

// The one validation of a compile request (edge API, build agent and CLI all call it): the schema, then the
// keycode grammar on every key. On success `layers` holds each keycode in its canonical form (`LT(1, KC_SPC)`),
// and unknown fields are kept as they came.
export function parseCompileRequest(body: unknown): CompileRequestParse {
  const parsed = compileRequest.safeParse(body);
  const errors: FieldError[] = parsed.success ? [] : fieldErrors(parsed.error);
  const flagged = new Set(errors.map((e) => e.path));
  const layers: unknown[][] = parsed.success ? parsed.data.layers : rawLayers(body);
  const canonical = layers.map((layer, i) =>
    layer.map((text, j) => {
      const path = `layers.${i}.${j}`;
      if (typeof text !== "string" || flagged.has(path)) return "";
      const result = parseKeycode(text);
      if (result.ok) return renderKeycode(result.keycode);
      errors.push(keycodeFieldError(path, text, result.error));
      return "";
    }),
  );
  if (!parsed.success || errors.length > 0) {
    const sorted = errors
      .map((e, i) => ({ e, i }))
      .sort((a, b) => comparePaths(a.e.path, b.e.path) || a.i - b.i);
    return { ok: false, kind: "invalid", errors: capFieldErrors(sorted.map(({ e }) => e)) };
  }
  return { ok: true, value: { ...parsed.data, layers: canonical } };
}

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

const refuse = (kind: RequestErrorKind, message: string): CompileRequestParse => ({
  ok: false,
  kind,
  errors: [{ path: "", message }],
});

// A raw request body (HTTP body, file, stdin) -> parseCompileRequest, refusing bodies over maxBytes before
// any JSON parsing. A leading byte-order mark is tolerated, as editors on Windows write one.
export function parseCompileRequestText(
  body: string | Uint8Array,
  maxBytes: number = LIMITS.bodyBytes,
): CompileRequestParse {
  const size = typeof body === "string" ? utf8Length(body) : body.byteLength;
  if (size > maxBytes) {
    return refuse("too_large", `request is ${size} bytes; the limit is ${maxBytes} bytes`);
  }
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
  if (jsonDepthExceeds(new TextEncoder().encode(text))) {
    return refuse("malformed_json", `request is nested deeper than ${LIMITS.jsonDepth} levels`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? escapeInput(err.message).slice(0, 200) : "parse error";
    return refuse("malformed_json", `request is not valid JSON: ${detail}`);
  }
  return parseCompileRequest(json);
}
