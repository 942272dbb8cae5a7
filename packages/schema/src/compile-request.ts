import { z } from "zod";
import { keymapConfigErrors } from "./keymap-config.ts";
import { LIMITS } from "./limits.ts";
import { macros } from "./macros.ts";
import { keyboardName, keymapName, layoutName } from "./names.ts";

const keycodeText = z.string().max(LIMITS.keycodeChars, `at most ${LIMITS.keycodeChars} characters`);
const freeText = z.string().max(LIMITS.freeTextChars, `at most ${LIMITS.freeTextChars} characters`);

// keymap.json `encoders`: per layer, one { ccw, cw } per encoder (QMK's json2c writes the encoder map from
// them). Keycodes are only bounded here; their grammar lives in @qmk-edge/keymap, like the layers'.
const encoders = z
  .array(
    z
      .array(z.strictObject({ ccw: keycodeText, cw: keycodeText }))
      .max(LIMITS.encodersPerLayer, `at most ${LIMITS.encodersPerLayer} encoders per layer`),
  )
  .max(LIMITS.layers, `at most ${LIMITS.layers} layers`);

// keymap.json `keycodes` (QMK's keycode_decl): `key` becomes an enum member from QK_USER_0 in keymap.h,
// each alias a #define of it. Names are QMK's keycode grammar (upper case, digits, `_`), so they are C
// identifiers.
const customKeycodeName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{1,49}$/, "2 to 50 characters of [A-Z0-9_], starting A-Z");
const customKeycodes = z
  .array(
    z.strictObject({
      key: customKeycodeName,
      label: z.string().min(1).max(250, "at most 250 characters").optional(),
      aliases: z
        .array(z.string().regex(/^[A-Z][A-Z0-9_]{1,6}$/, "2 to 7 characters of [A-Z0-9_], starting A-Z"))
        .min(1, "at least one alias")
        .max(LIMITS.customKeycodeAliases, `at most ${LIMITS.customKeycodeAliases} aliases`)
        .optional(),
    }),
  )
  .min(1, "at least one keycode")
  .max(LIMITS.customKeycodes, `at most ${LIMITS.customKeycodes} keycodes (QK_USER_0 to QK_USER_31)`);

// Fields of QMK's keymap.json that qmk-edge refuses rather than keep and ignore (docs/architecture.md,
// "Every field of keymap.json"). Each answer says why.
const refused = (why: string) => z.never({ error: why }).optional();

export const REFUSED_FIELDS = {
  host_language: refused(
    "host_language is not built by qmk-edge yet: send the keycodes of your layout (e.g. KC_Z for DE_Y)",
  ),
  dip_switches: refused("dip_switches (a DIP switch map) is not built by qmk-edge yet"),
  modules: refused("community modules are not built by qmk-edge: they live outside qmk_firmware"),
};

// QMK Configurator JSON, which is QMK's keymap.json (data/schemas/keymap.jsonschema) plus the Configurator's
// `version` and `documentation`. Every field is either built or refused by name; an unknown one is refused
// too, since nothing would read it (a misspelt `coonfig` must not build without its settings).
// Keycodes are only bounded here; their grammar lives in @qmk-edge/keymap (parseCompileRequest).
const fields = {
  keyboard: keyboardName,
  keymap: keymapName,
  layout: layoutName,
  layers: z
    .array(z.array(keycodeText).max(LIMITS.keysPerLayer, `at most ${LIMITS.keysPerLayer} keys per layer`))
    .min(1, "at least one layer")
    .max(LIMITS.layers, `at most ${LIMITS.layers} layers`),
  macros: macros.optional(),
  encoders: encoders.optional(),
  keycodes: customKeycodes.optional(),
  // Checked by keymapConfigErrors below, which names each refused or malformed setting by its path.
  config: z.record(z.string(), z.unknown()).optional(),
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
  ...REFUSED_FIELDS,
};

export const COMPILE_REQUEST_FIELDS: readonly string[] = Object.keys(fields);
const FIELD_NAMES = new Set(COMPILE_REQUEST_FIELDS);
const ACCEPTED = COMPILE_REQUEST_FIELDS.filter((f) => !(f in REFUSED_FIELDS)).join(", ");

export const compileRequest = z.looseObject(fields).superRefine((req, ctx) => {
  for (const key of Object.keys(req)) {
    if (FIELD_NAMES.has(key)) continue;
    // The key is client text: it is the path (bounded), never part of the message.
    const path = key.length > 64 ? `${key.slice(0, 64)}...` : key;
    ctx.addIssue({ code: "custom", path: [path], message: `unknown field; a keymap has ${ACCEPTED}` });
  }
  if (req.config !== undefined) {
    for (const e of keymapConfigErrors(req.config)) {
      ctx.addIssue({ code: "custom", path: e.path.split("."), message: e.message });
    }
  }
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
  "encoders",
  "keycodes",
  "config",
] as const;

// The fields that decide a build's output, in a fixed order: equal requests give equal JSON text.
// `version` is left out, so it never splits the build cache. Fields added later (macros, encoders, ...)
// are absent from older requests, so adding one changes no existing key.
export function canonicalCompileRequest(req: CompileRequest): CompileRequest {
  const out: Record<string, unknown> = {};
  for (const key of KNOWN_FIELDS) if (req[key] !== undefined) out[key] = req[key];
  return out as CompileRequest;
}
