import type { CompileRequest, FieldError } from "@qmk-edge/schema";
import type { Keycode } from "./keycode.ts";
import { InvalidKeymapError } from "./keymap-errors.ts";

// One step of a keymap.json macro after validation. Key names are checked C identifiers (QMK writes them
// as X_<name>); text holds printable ASCII, tab and line breaks only.
export type MacroStep =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "tap" | "down" | "up"; readonly keys: readonly string[] }
  | { readonly kind: "delay"; readonly ms: number }
  | { readonly kind: "beep" };
export type Macro = readonly MacroStep[];

// One encoder of a layer of keymap.json `encoders`: counter-clockwise and clockwise keycodes.
export type EncoderKeys = { readonly ccw: Keycode; readonly cw: Keycode };

// What the generators render from: every keycode already parsed, so nothing is parsed twice.
export type ParsedKeymap = {
  readonly layout: string;
  readonly layers: readonly (readonly Keycode[])[];
  readonly macros: readonly Macro[] | undefined;
  readonly encoders?: readonly (readonly EncoderKeys[])[] | undefined;
};

// Held under a symbol that index.ts does not export, and not enumerable: JSON, structuredClone and object
// spread leave it behind, so job records stay plain wire data and a copy edited by hand is not mistaken for
// a validated request.
export const PARSED_KEYMAP: unique symbol = Symbol("qmk-edge.parsed-keymap");

// A compile request that parseCompileRequest (or translateKeycodes) validated: the wire value with keycodes
// in canonical text, plus their parsed form. The request, its layers and macros are frozen, so text and parsed
// form cannot drift apart.
export type ParsedCompileRequest = Readonly<CompileRequest> & { readonly [PARSED_KEYMAP]: ParsedKeymap };

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

const freezeGrid = <T>(grid: readonly (readonly T[])[]) =>
  Object.freeze(grid.map((row) => Object.freeze(row)));

// `value` must be an object the caller built for this purpose: it is frozen in place. The keycode trees are
// left as they are: only this package can reach them (PARSED_KEYMAP is not exported), and freezing some
// 16,000 small objects would cost more than the parse itself.
export function sealParsedRequest(value: CompileRequest, keymap: ParsedKeymap): ParsedCompileRequest {
  const sealed: ParsedKeymap = Object.freeze({
    layout: keymap.layout,
    layers: freezeGrid(keymap.layers),
    macros: deepFreeze(keymap.macros),
    encoders:
      keymap.encoders && freezeGrid(keymap.encoders.map((layer) => layer.map((e) => Object.freeze(e)))),
  });
  Object.defineProperty(value, PARSED_KEYMAP, { value: sealed, enumerable: false });
  value.layers = freezeGrid(value.layers) as string[][];
  deepFreeze(value.macros);
  deepFreeze(value.encoders);
  deepFreeze(value.keycodes);
  deepFreeze(value.config);
  return Object.freeze(value) as ParsedCompileRequest;
}

const NOT_PARSED: FieldError = {
  path: "",
  message: "the request was not produced by parseCompileRequest (a copy loses its parsed keycodes)",
};

// The parsed keymap of a request; a plain object typed as ParsedCompileRequest (a cast, a spread copy) is
// refused, since nothing would vouch for its text.
export function parsedKeymapOf(request: ParsedCompileRequest): ParsedKeymap {
  const keymap = (request as Partial<ParsedCompileRequest>)[PARSED_KEYMAP];
  if (!keymap || !Object.isFrozen(request)) throw new InvalidKeymapError([NOT_PARSED]);
  return keymap;
}
