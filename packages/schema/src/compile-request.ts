import { z } from "zod";
import { LIMITS } from "./limits.ts";
import { macros } from "./macros.ts";
import { keyboardName, keymapName, layoutName } from "./names.ts";

const keycodeText = z.string().max(LIMITS.keycodeChars, `at most ${LIMITS.keycodeChars} characters`);
const freeText = z.string().max(LIMITS.freeTextChars, `at most ${LIMITS.freeTextChars} characters`);

// QMK Configurator JSON. Unknown fields (encoders, config, ...) are kept but never used.
// Keycodes are only bounded here; their grammar lives in @qmk-edge/keymap (parseCompileRequest).
export const compileRequest = z
  .looseObject({
    keyboard: keyboardName,
    keymap: keymapName,
    layout: layoutName,
    layers: z
      .array(z.array(keycodeText).max(LIMITS.keysPerLayer, `at most ${LIMITS.keysPerLayer} keys per layer`))
      .min(1, "at least one layer")
      .max(LIMITS.layers, `at most ${LIMITS.layers} layers`),
    macros: macros.optional(),
    version: z.number().int().optional(),
    author: freeText.optional(),
    notes: freeText.optional(),
    documentation: freeText.optional(),
    branch: z
      .string()
      .regex(/^[A-Za-z0-9._/-]{1,64}$/)
      .optional(),
    converter: z
      .string()
      .regex(/^[a-z0-9_]{1,64}$/)
      .optional(),
  })
  .superRefine((req, ctx) => {
    const first = req.layers[0]?.length ?? 0;
    if (first === 0) ctx.addIssue({ code: "custom", path: ["layers", 0], message: "a layer needs keys" });
    req.layers.forEach((layer, i) => {
      if (layer.length !== first) {
        ctx.addIssue({
          code: "custom",
          path: ["layers", i],
          message: `layer ${i} has ${layer.length} keys, layer 0 has ${first}; all layers must be the same length`,
        });
      }
    });
  });
export type CompileRequest = z.infer<typeof compileRequest>;

// Every field the schema names; anything else is an unknown field.
const SCHEMA_FIELDS = new Set([
  "keyboard",
  "keymap",
  "layout",
  "layers",
  "version",
  "author",
  "notes",
  "documentation",
  "branch",
  "converter",
]);

// Keeps unknown fields, in order, while their JSON stays within LIMITS.unknownFieldsChars; drops the rest,
// so a client cannot make the service store and ship an arbitrarily large blob it never uses.
export function boundUnknownFields(req: CompileRequest): CompileRequest {
  const out: Record<string, unknown> = {};
  let budget: number = LIMITS.unknownFieldsChars;
  for (const [key, value] of Object.entries(req)) {
    if (SCHEMA_FIELDS.has(key)) {
      out[key] = value;
      continue;
    }
    const size = key.length + (JSON.stringify(value)?.length ?? 0);
    if (size > budget) continue;
    budget -= size;
    out[key] = value;
  }
  return out as CompileRequest;
}

const KNOWN_FIELDS = [
  "keyboard",
  "keymap",
  "layout",
  "layers",
  "macros",
  "author",
  "notes",
  "documentation",
  "branch",
  "converter",
] as const;

// The fields that decide a build's output, in a fixed order: equal requests give equal JSON text.
// `version` and unknown fields are left out, so they never split the build cache. Fields added later (macros)
// are absent from older requests, so adding one changes no existing key.
export function canonicalCompileRequest(req: CompileRequest): CompileRequest {
  const out: Record<string, unknown> = {};
  for (const key of KNOWN_FIELDS) if (req[key] !== undefined) out[key] = req[key];
  return out as CompileRequest;
}
