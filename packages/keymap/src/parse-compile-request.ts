import { compileRequest, type FieldError, fieldErrors, LIMITS } from "@qmk-edge/schema";
import { decodeJsonText } from "./json-text.ts";
import { type Keycode, type KeycodeError, parseKeycode, renderKeycode } from "./keycode.ts";
import { keycodeFieldError, orderFieldErrors } from "./keymap-errors.ts";
import { parseMacros } from "./parse-macros.ts";
import { type EncoderKeys, type ParsedCompileRequest, sealParsedRequest } from "./parsed-request.ts";

// too_large maps to 413, malformed_json to 400 and invalid to 422; `errors` always names the fields at fault
// ("" is the body).
export type RequestErrorKind = "too_large" | "malformed_json" | "invalid";

export type CompileRequestParse =
  | { ok: true; value: ParsedCompileRequest }
  | { ok: false; kind: RequestErrorKind; errors: FieldError[] };

// The layers as sent, when the schema refused the body: keycode errors are still worth reporting in the
// same answer. Bounded by LIMITS, since an unchecked body may hold anything.
function boundedLayers(body: unknown): unknown[][] {
  if (typeof body !== "object" || body === null || !("layers" in body)) return [];
  const { layers } = body;
  if (!Array.isArray(layers)) return [];
  return layers
    .slice(0, LIMITS.layers)
    .map((layer) => (Array.isArray(layer) ? layer.slice(0, LIMITS.keysPerLayer) : []));
}

const NO_KEY: Keycode = { kind: "identifier", name: "KC_NO" };
const NO_KEY_PARSE = { keycode: NO_KEY, text: "" };

type Layers = { keycodes: Keycode[][]; text: string[][] };
type Seen = Map<string, { keycode: Keycode; text: string } | KeycodeError>;

// Keymaps repeat keycodes (KC_TRNS on most keys of upper layers), so each distinct text is parsed and
// rendered once and its tree shared: trees are never changed after parsing. A key the schema flagged, or
// one that fails the grammar (reported at its path, `${prefix}${index}${suffix}`), parses as KC_NO with
// empty text. The path is only spelt out when the schema flagged something or the key is in error: a
// keymap of a few hundred keys would otherwise build a few hundred strings no one reads.
function parseKey(
  raw: unknown,
  prefix: string,
  index: number,
  suffix: string,
  seen: Seen,
  flagged: ReadonlySet<string>,
  errors: FieldError[],
) {
  if (typeof raw !== "string") return NO_KEY_PARSE;
  if (flagged.size > 0 && flagged.has(`${prefix}${index}${suffix}`)) return NO_KEY_PARSE;
  let parsed = seen.get(raw);
  if (parsed === undefined) {
    const result = parseKeycode(raw);
    parsed = result.ok ? { keycode: result.keycode, text: renderKeycode(result.keycode) } : result.error;
    seen.set(raw, parsed);
  }
  if ("keycode" in parsed) return parsed;
  errors.push(keycodeFieldError(`${prefix}${index}${suffix}`, raw, parsed));
  return NO_KEY_PARSE;
}

function parseLayers(
  layers: unknown[][],
  seen: Seen,
  flagged: ReadonlySet<string>,
  errors: FieldError[],
): Layers {
  const keycodes: Keycode[][] = [];
  const text: string[][] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const prefix = `layers.${i}.`;
    const layerKeycodes: Keycode[] = [];
    const layerText: string[] = [];
    for (let j = 0; j < layer.length; j++) {
      const key = parseKey(layer[j], prefix, j, "", seen, flagged, errors);
      layerKeycodes.push(key.keycode);
      layerText.push(key.text);
    }
    keycodes.push(layerKeycodes);
    text.push(layerText);
  }
  return { keycodes, text };
}

type Encoders = { keys: EncoderKeys[][]; wire: { ccw: string; cw: string }[][] };

// keymap.json `encoders`, each ccw/cw keycode through the same grammar as the layers'.
function parseEncoders(
  body: unknown,
  seen: Seen,
  flagged: ReadonlySet<string>,
  errors: FieldError[],
): Encoders | undefined {
  const input = (body as { encoders?: unknown } | null)?.encoders;
  if (!Array.isArray(input)) return undefined;
  const keys: EncoderKeys[][] = [];
  const wire: { ccw: string; cw: string }[][] = [];
  input.slice(0, LIMITS.layers).forEach((layer, i) => {
    const row = Array.isArray(layer) ? layer.slice(0, LIMITS.encodersPerLayer) : [];
    const parsed = row.map((e, j) => {
      const enc = (typeof e === "object" && e !== null ? e : {}) as { ccw?: unknown; cw?: unknown };
      const ccw = parseKey(enc.ccw, `encoders.${i}.`, j, ".ccw", seen, flagged, errors);
      const cw = parseKey(enc.cw, `encoders.${i}.`, j, ".cw", seen, flagged, errors);
      return { ccw, cw };
    });
    keys.push(parsed.map((e) => ({ ccw: e.ccw.keycode, cw: e.cw.keycode })));
    wire.push(parsed.map((e) => ({ ccw: e.ccw.text, cw: e.cw.text })));
  });
  return { keys, wire };
}

// The one validation of a compile request (edge API, build agent and CLI all call it): the schema, then the
// keycode grammar on every key of the layers and encoders and the grammar of macro text and keys. On
// success the value holds each keycode in canonical form (`LT(1, KC_SPC)`) and carries the parsed keycodes
// the generators render from; custom keycodes and config pass as the schema checked them.
export function parseCompileRequest(body: unknown): CompileRequestParse {
  const parsed = compileRequest.safeParse(body);
  const errors: FieldError[] = parsed.success ? [] : fieldErrors(parsed.error);
  const flagged = new Set(errors.map((e) => e.path));
  const seen: Seen = new Map();
  const layers = parseLayers(
    parsed.success ? parsed.data.layers : boundedLayers(body),
    seen,
    flagged,
    errors,
  );
  const encoders = parseEncoders(body, seen, flagged, errors);
  const rawMacros = parsed.success ? parsed.data.macros : (body as { macros?: unknown } | null)?.macros;
  const macros = parseMacros(rawMacros, parsed.success, flagged, errors);
  if (!parsed.success || errors.length > 0) {
    return { ok: false, kind: "invalid", errors: orderFieldErrors(errors) };
  }
  const value = {
    ...parsed.data,
    layers: layers.text,
    ...(macros ? { macros: macros.wire } : {}),
    ...(encoders ? { encoders: encoders.wire } : {}),
  };
  const keymap = {
    layout: parsed.data.layout,
    layers: layers.keycodes,
    macros: macros?.macros,
    encoders: encoders?.keys,
  };
  return { ok: true, value: sealParsedRequest(value, keymap) };
}

// A raw request body (HTTP body, file, stdin) through decodeJsonText and then parseCompileRequest: the whole
// path from bytes to a validated request, with every limit taken from LIMITS.
export function parseCompileRequestText(
  body: string | Uint8Array,
  maxBytes: number = LIMITS.bodyBytes,
): CompileRequestParse {
  const json = decodeJsonText(body, maxBytes);
  if (!json.ok) return { ok: false, kind: json.kind, errors: [{ path: "", message: json.message }] };
  return parseCompileRequest(json.value);
}
