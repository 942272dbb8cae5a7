import type { FieldError } from "@qmk-edge/schema";
import { closestName } from "./did-you-mean.ts";
import { type Keycode, type KeycodeExpr, renderKeycode } from "./keycode.ts";
import { orderFieldErrors } from "./keymap-errors.ts";
import { LEGACY_KEYCODES } from "./legacy-keycodes.ts";
import {
  type ParsedCompileRequest,
  type ParsedKeymap,
  parsedKeymapOf,
  sealParsedRequest,
} from "./parsed-request.ts";

export type KeycodeTranslation = { path: string; from: string; to: string };

export type KeycodeTranslationResult = {
  // The request to build: the one given when nothing was renamed, else a new validated request.
  request: ParsedCompileRequest;
  translations: KeycodeTranslation[];
  // Identifiers the firmware does not define, at the key (or macro key) that uses them; empty when
  // `defined` is null. A build with any of them would fail in the compiler, so callers refuse the job.
  errors: FieldError[];
};

// `defined` holds every identifier the firmware tree's headers define (keycodeNamesFromQmkSources): object-
// and function-like macros alike (KC_A, _______, MO, LT, LSFT_T), enum members, hjson keys and aliases.
// Function-like macros are held by bare name, since a key calls them by name. null means the tree is not
// known, and nothing is translated or checked.
// `renames` (a published catalogue's, legacy -> current) are tried before the built-in LEGACY_KEYCODES;
// `firmwareVersion` names the firmware in error messages.
export interface TranslateOptions {
  renames?: ReadonlyMap<string, string>;
  firmwareVersion?: string;
}

export function translateKeycodes(
  request: ParsedCompileRequest,
  defined: ReadonlySet<string> | null,
  options: TranslateOptions = {},
): KeycodeTranslationResult {
  if (defined === null) return { request, translations: [], errors: [] };
  defined = withCustomKeycodes(request, defined);
  const firmware = options.firmwareVersion ? `firmware ${options.firmwareVersion}` : "this firmware";
  const keymap = parsedKeymapOf(request);
  const translations: KeycodeTranslation[] = [];
  const errors: FieldError[] = [];

  const rename = (name: string, path: string, call: boolean): string => {
    if (defined.has(name)) return name;
    const renamed = LEGACY_KEYCODES.get(name);
    const given = options.renames?.get(name);
    const to = given !== undefined && defined.has(given) ? given : renamed?.find((c) => defined.has(c));
    if (to) {
      if (!translations.some((t) => t.path === path && t.from === name))
        translations.push({ path, from: name, to });
      return to;
    }
    const what = call ? `keycode function ${name}()` : `keycode ${name}`;
    const hint = renamed
      ? ` (QMK renamed it ${renamed[0]}, which this firmware does not define either)`
      : suggest(name);
    errors.push({ path, message: `unknown ${what} for ${firmware}${hint}` });
    return name;
  };
  // Hints for the first few distinct unknown names only: each one is a pass over every defined name.
  const hints = new Map<string, string>();
  const suggest = (name: string): string => {
    if (!hints.has(name)) {
      const close = hints.size < MAX_HINTS ? closestName(name, candidates(defined, options.renames)) : null;
      hints.set(name, close ? `; did you mean ${close}?` : "");
    }
    return hints.get(name)!;
  };

  const expr = (e: KeycodeExpr, path: string): KeycodeExpr => {
    switch (e.kind) {
      case "identifier":
        return { kind: "identifier", name: rename(e.name, path, false) };
      case "number":
        return e;
      case "call":
        return { kind: "call", name: rename(e.name, path, true), args: e.args.map((a) => expr(a, path)) };
      case "or":
        return { kind: "or", operands: e.operands.map((o) => expr(o, path)) };
    }
  };
  const key = (k: Keycode, path: string): Keycode =>
    k.kind === "any" ? { kind: "any", expr: expr(k.expr, path) } : expr(k, path);

  const layers = keymap.layers.map((layer, i) => layer.map((k, j) => key(k, `layers.${i}.${j}`)));
  const encoders = keymap.encoders?.map((layer, i) =>
    layer.map((e, j) => ({
      ccw: key(e.ccw, `encoders.${i}.${j}.ccw`),
      cw: key(e.cw, `encoders.${i}.${j}.cw`),
    })),
  );
  checkMacros(keymap.macros, defined, errors);

  if (translations.length === 0) return { request, translations, errors: orderFieldErrors(errors) };
  const value = {
    ...request,
    layers: layers.map((layer) => layer.map(renderKeycode)),
    ...(encoders
      ? {
          encoders: encoders.map((l) =>
            l.map((e) => ({ ccw: renderKeycode(e.ccw), cw: renderKeycode(e.cw) })),
          ),
        }
      : {}),
  };
  const translated = sealParsedRequest(value, { ...keymap, layers, encoders });
  return { request: translated, translations, errors: orderFieldErrors(errors) };
}

const MAX_HINTS = 20;

// Every name a key may use, and every renamed name with the name it builds as today.
function* candidates(
  defined: ReadonlySet<string>,
  renames: ReadonlyMap<string, string> | undefined,
): Iterable<[string, string]> {
  for (const name of defined) yield [name, name];
  for (const [old, to] of renames ?? []) if (defined.has(to)) yield [old, to];
  for (const [old, tos] of LEGACY_KEYCODES) {
    const to = tos.find((t) => defined.has(t));
    if (to) yield [old, to];
  }
}

// A keymap's own keycodes (keymap.json `keycodes`: keymap.h declares each and #defines its aliases) are
// defined for its keys too.
function withCustomKeycodes(
  request: ParsedCompileRequest,
  defined: ReadonlySet<string>,
): ReadonlySet<string> {
  const own = (request.keycodes ?? []).flatMap((k) => [k.key, ...(k.aliases ?? [])]);
  return own.length === 0 ? defined : new Set([...defined, ...own]);
}

// Macros need SEND_STRING, and QMK sends a macro key `NAME` as X_NAME (quantum/send_string/
// send_string_keycodes.h), so that is the name the tree must define. Macro keys are checked, not renamed:
// QMK records no renames of the X_ names.
function checkMacros(
  macros: ParsedKeymap["macros"],
  defined: ReadonlySet<string>,
  errors: FieldError[],
): void {
  if (!macros || macros.length === 0) return;
  if (!defined.has("SEND_STRING")) {
    errors.push({ path: "macros", message: "macros need SEND_STRING, which this firmware does not define" });
    return;
  }
  macros.forEach((macro, i) => {
    macro.forEach((step, j) => {
      if (step.kind !== "tap" && step.kind !== "down" && step.kind !== "up") return;
      step.keys.forEach((name, k) => {
        if (defined.has(`X_${name}`)) return;
        errors.push({
          path: `macros.${i}.${j}.keycodes.${k}`,
          message: `unknown macro key ${name} for this firmware (X_${name} is not defined)`,
        });
      });
    });
  });
}
