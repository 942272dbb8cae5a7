import { type CompileRequest, type FieldError, layoutName } from "@qmk-edge/schema";
import { type Keycode, type KeycodeError, parseKeycode } from "./keycode.ts";
import { quoteInput } from "./quote-input.ts";

export const MAX_FIELD_ERRORS = 50;

export function keycodeFieldError(path: string, text: string, error: KeycodeError): FieldError {
  return { path, message: `invalid keycode ${quoteInput(text)}: ${error.message}` };
}

// At most MAX_FIELD_ERRORS entries; the last one says how many more there were.
export function capFieldErrors(errors: FieldError[]): FieldError[] {
  if (errors.length <= MAX_FIELD_ERRORS) return errors;
  const shown = errors.slice(0, MAX_FIELD_ERRORS - 1);
  return [...shown, { path: "", message: `${errors.length - shown.length} more errors not shown` }];
}

// Thrown by the generators when handed a request that parseCompileRequest would have refused.
export class InvalidKeymapError extends Error {
  readonly errors: FieldError[];

  constructor(errors: FieldError[]) {
    const first = errors[0];
    super(first ? `invalid keymap: ${first.path}: ${first.message}` : "invalid keymap");
    this.name = "InvalidKeymapError";
    this.errors = errors;
  }
}

export type KeymapLayers = { layout: string; layers: Keycode[][] };

// The generators re-check layout and keycodes themselves, so the C they write never depends on the
// caller having validated the request first.
export function parseKeymapLayers(request: Pick<CompileRequest, "layout" | "layers">): KeymapLayers {
  const errors: FieldError[] = [];
  if (!layoutName.safeParse(request.layout).success) {
    errors.push({ path: "layout", message: `invalid layout name ${quoteInput(String(request.layout))}` });
  }
  const layers = request.layers.map((layer, i) =>
    layer.map((text: unknown, j): Keycode => {
      const path = `layers.${i}.${j}`;
      if (typeof text !== "string") {
        errors.push({
          path,
          message: `expected a keycode string, got ${text === null ? "null" : typeof text}`,
        });
      } else {
        const parsed = parseKeycode(text);
        if (parsed.ok) return parsed.keycode;
        errors.push(keycodeFieldError(path, text, parsed.error));
      }
      return { kind: "identifier", name: "KC_NO" };
    }),
  );
  if (errors.length > 0) throw new InvalidKeymapError(capFieldErrors(errors));
  return { layout: request.layout, layers };
}
