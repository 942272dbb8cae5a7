import { type FieldError, LIMITS } from "@qmk-edge/schema";
import type { KeycodeError } from "./keycode.ts";
import { quoteInput } from "./quote-input.ts";

export const MAX_FIELD_ERRORS = LIMITS.fieldErrors;

export function keycodeFieldError(path: string, text: string, error: KeycodeError): FieldError {
  return { path, message: `invalid keycode ${quoteInput(text)}: ${error.message}` };
}

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

// In path order (equal paths keep their order), at most MAX_FIELD_ERRORS entries; the last one says how
// many more there were.
export function orderFieldErrors(errors: FieldError[]): FieldError[] {
  const sorted = errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => comparePaths(a.e.path, b.e.path) || a.i - b.i)
    .map(({ e }) => e);
  if (sorted.length <= MAX_FIELD_ERRORS) return sorted;
  const shown = sorted.slice(0, MAX_FIELD_ERRORS - 1);
  return [...shown, { path: "", message: `${sorted.length - shown.length} more errors not shown` }];
}

// Thrown by the generators when handed a request that parseCompileRequest did not produce.
export class InvalidKeymapError extends Error {
  readonly errors: FieldError[];

  constructor(errors: FieldError[]) {
    const first = errors[0];
    super(first ? `invalid keymap: ${first.path}: ${first.message}` : "invalid keymap");
    this.name = "InvalidKeymapError";
    this.errors = errors;
  }
}
