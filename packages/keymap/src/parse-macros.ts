import { type FieldError, LIMITS, type MacroStep as WireStep } from "@qmk-edge/schema";
import { firstUntypeable } from "./c-string.ts";
import { parseKeycode } from "./keycode.ts";
import { describeChar } from "./keycode-lexer.ts";
import type { Macro, MacroStep } from "./parsed-request.ts";
import { quoteInput } from "./quote-input.ts";

type Parsed = { ok: true; name: string } | { ok: false; message: string };

// A macro key is one key name: QMK pastes it after `X_` (SS_TAP(X_ENTER)), so anything but an identifier
// would be C. A lone digit is allowed too: X_0 to X_9 are the number keys.
function parseMacroKey(text: string): Parsed {
  const result = parseKeycode(text);
  if (!result.ok)
    return { ok: false, message: `invalid macro key ${quoteInput(text)}: ${result.error.message}` };
  const { keycode } = result;
  if (keycode.kind === "identifier") return { ok: true, name: keycode.name };
  if (keycode.kind === "number" && /^[0-9]$/.test(keycode.text)) return { ok: true, name: keycode.text };
  return {
    ok: false,
    message: `invalid macro key ${quoteInput(text)}: expected one key name such as LCTL or ENTER (QMK sends X_<name>)`,
  };
}

function textError(text: string): string | null {
  const at = firstUntypeable(text);
  if (at < 0) return null;
  return `macro text ${quoteInput(text)} has a ${describeChar(text, at)} at ${at + 1}; SEND_STRING types printable ASCII, tab and line breaks only`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

// The macros as sent, when the schema refused the body: their grammar errors are still worth reporting in
// the same answer. Bounded by LIMITS, since an unchecked body may hold anything.
function boundedMacros(input: unknown): unknown[][] {
  if (!Array.isArray(input)) return [];
  return input
    .slice(0, LIMITS.macros)
    .map((macro) => (Array.isArray(macro) ? macro.slice(0, LIMITS.macroSteps) : []));
}

export type MacrosParse = { macros: Macro[]; wire: WireStep[][] } | undefined;

// Grammar of the macros' text and key names, on top of the schema (which checked their shape when `valid`).
// Errors go to `errors`, skipping paths the schema already flagged; the result is only meaningful when no
// error was added. `wire` is the macros with canonical key names, as they go into the request.
export function parseMacros(
  input: unknown,
  valid: boolean,
  flagged: ReadonlySet<string>,
  errors: FieldError[],
): MacrosParse {
  if (input === undefined) return undefined;
  const macros: Macro[] = [];
  const wire: WireStep[][] = [];
  boundedMacros(input).forEach((raw, i) => {
    const steps: MacroStep[] = [];
    const wireSteps: WireStep[] = [];
    raw.forEach((step, j) => {
      const path = `macros.${i}.${j}`;
      if (flagged.has(path)) return;
      if (typeof step === "string") {
        const message = textError(step);
        if (message) errors.push({ path, message });
        steps.push({ kind: "text", text: step });
        wireSteps.push(step);
        return;
      }
      if (!isRecord(step)) return;
      const names = keyNames(step.keycodes, path, flagged, errors);
      if (!valid) return;
      const action = step as Exclude<WireStep, string>;
      if (action.action === "delay") steps.push({ kind: "delay", ms: action.duration });
      else if (action.action === "beep") steps.push({ kind: "beep" });
      else steps.push({ kind: action.action, keys: names });
      wireSteps.push("keycodes" in action ? { ...action, keycodes: names } : { ...action });
    });
    const path = `macros.${i}`;
    if (valid && !flagged.has(path) && steps.every((s) => s.kind === "text" && s.text === "")) {
      errors.push({ path, message: "a macro must type something; all its text is empty" });
    }
    macros.push(steps);
    wire.push(wireSteps);
  });
  return { macros, wire };
}

function keyNames(
  keycodes: unknown,
  path: string,
  flagged: ReadonlySet<string>,
  errors: FieldError[],
): string[] {
  if (!Array.isArray(keycodes)) return [];
  return keycodes.slice(0, LIMITS.macroKeycodes).map((text: unknown, k) => {
    const keyPath = `${path}.keycodes.${k}`;
    if (typeof text !== "string" || flagged.has(keyPath)) return "";
    const key = parseMacroKey(text);
    if (key.ok) return key.name;
    errors.push({ path: keyPath, message: key.message });
    return "";
  });
}
