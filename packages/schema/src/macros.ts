import { z } from "zod";
import { LIMITS } from "./limits.ts";

// keymap.json `macros` as QMK's keymap schema (data/schemas/keymap.jsonschema) defines them: each macro is a
// list of steps, a step is text to type or an action object. Stricter than QMK where QMK would ignore or
// mis-render a field: unknown keys are refused, and tap/down/up need at least one key.
// Key names (`LCTL`, `ENTER`: QMK prefixes them with X_) and the characters of text are only bounded here;
// their grammar lives in @qmk-edge/keymap (parseCompileRequest), like that of the layers' keycodes.

const macroKeycodes = z
  .array(z.string().max(LIMITS.keycodeChars, `at most ${LIMITS.keycodeChars} characters`))
  .min(1, "at least one keycode")
  .max(LIMITS.macroKeycodes, `at most ${LIMITS.macroKeycodes} keycodes`);

// Unknown keys are named by what is allowed, never echoed: a key is client text.
const actionObject = <S extends z.core.$ZodLooseShape>(action: string, shape: S) => {
  const fields = Object.keys(shape).map((k) => `"${k}"`);
  const only = fields.length === 1 ? fields[0] : `${fields.slice(0, -1).join(", ")} and ${fields.at(-1)}`;
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `a ${action} action takes only ${only}` : undefined,
  });
};

const keysAction = <A extends "tap" | "down" | "up">(action: A) =>
  actionObject(action, { action: z.literal(action), keycodes: macroKeycodes });

export const MACRO_ACTIONS = ["beep", "delay", "down", "tap", "up"] as const;

export const macroAction = z.discriminatedUnion(
  "action",
  [
    keysAction("tap"),
    keysAction("down"),
    keysAction("up"),
    actionObject("delay", {
      action: z.literal("delay"),
      duration: z
        .number()
        .int("a whole number of milliseconds")
        .min(0, "at least 0 ms")
        .max(LIMITS.macroDelayMs, `at most ${LIMITS.macroDelayMs} ms`),
    }),
    actionObject("beep", { action: z.literal("beep") }),
  ],
  {
    error: (issue) =>
      issue.code === "invalid_union" ? `expected an action of ${MACRO_ACTIONS.join(", ")}` : undefined,
  },
);
export type MacroAction = z.infer<typeof macroAction>;

export const macroText = z.string().max(LIMITS.macroTextChars, `at most ${LIMITS.macroTextChars} characters`);

export const macroStep = z.union([macroText, macroAction]);
export type MacroStep = z.infer<typeof macroStep>;

export const macros = z
  .array(
    z
      .array(macroStep)
      .min(1, "a macro needs at least one step")
      .max(LIMITS.macroSteps, `at most ${LIMITS.macroSteps} steps`),
  )
  .max(LIMITS.macros, `at most ${LIMITS.macros} macros (QK_MACRO_0 to QK_MACRO_${LIMITS.macros - 1})`);
export type Macros = z.infer<typeof macros>;
