import { join } from "node:path";
import { readText } from "./keyboard-folder.ts";
import type { TreeKeycodes } from "./keycode-names.ts";

// Which lighting a keyboard has decides where QMK's renamed RGB_* keys go (QMK's RGB keycode overhaul:
// UG_* on rgblight boards, RM_* on RGB Matrix boards). Read as QMK's build enables the features: the
// keyboard's merged info (`features.rgb_matrix`, `features.rgblight`), then RGB_MATRIX_ENABLE /
// RGBLIGHT_ENABLE of the rules.mk files along its path (deeper wins, as make includes them).

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export interface Lighting {
  rgbMatrix: boolean;
  rgblight: boolean;
}

export async function keyboardLighting(treeRoot: string, keyboard: string, info: Json): Promise<Lighting> {
  const features = isObject(info.features) ? info.features : {};
  const on: Record<"RGB_MATRIX_ENABLE" | "RGBLIGHT_ENABLE", boolean> = {
    RGB_MATRIX_ENABLE: features.rgb_matrix === true,
    RGBLIGHT_ENABLE: features.rgblight === true,
  };
  const segments = keyboard.split("/");
  for (let depth = 1; depth <= segments.length; depth++) {
    const rules = await readText(join(treeRoot, "keyboards", ...segments.slice(0, depth), "rules.mk"));
    for (const m of rules?.matchAll(
      /^[ \t]*(RGB_MATRIX_ENABLE|RGBLIGHT_ENABLE)[ \t]*[:?]?=[ \t]*(yes|no)[ \t]*(?:#.*)?$/gm,
    ) ?? [])
      on[m[1] as keyof typeof on] = m[2] === "yes";
  }
  return { rgbMatrix: on.RGB_MATRIX_ENABLE, rgblight: on.RGBLIGHT_ENABLE };
}

// The renames that differ for this keyboard from the tree's (legacy -> current): on a board lit by RGB
// Matrix alone, RGB_* go to RM_*. A board with both keeps UG_*, which QMK made act on both systems.
export async function keyboardRenames(
  treeRoot: string,
  keyboard: string,
  info: Json,
  known: TreeKeycodes | null,
): Promise<Map<string, string>> {
  if (!known || known.rgbMatrixRenames.size === 0) return new Map();
  const lighting = await keyboardLighting(treeRoot, keyboard, info);
  return lighting.rgbMatrix && !lighting.rgblight ? new Map(known.rgbMatrixRenames) : new Map();
}
