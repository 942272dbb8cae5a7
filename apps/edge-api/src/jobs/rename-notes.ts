import type { KeycodeTranslation } from "@qmk-edge/schema";

// Legacy keycodes the API renamed before queueing, as the first lines of `result.output`: QMK
// Configurator shows that field and nothing else of the status, so a user who pressed RGB_TOG learns
// there that the firmware has RM_TOGG. The status JSON keeps the list as `keycode_translations` too.

const SHOWN = 40;

export function renameNotes(translations: readonly KeycodeTranslation[] | undefined): string {
  if (!translations?.length) return "";
  const n = translations.length;
  const lines = [
    `qmk-edge: ${n} legacy keycode${n === 1 ? " was" : "s were"} renamed as QMK renamed ${n === 1 ? "it" : "them"}:`,
    ...translations.slice(0, SHOWN).map((t) => `  ${t.path}: ${t.from} -> ${t.to}`),
    ...(n > SHOWN ? [`  ... and ${n - SHOWN} more (keycode_translations in the status JSON)`] : []),
  ];
  return `${lines.join("\n")}\n\n`;
}
