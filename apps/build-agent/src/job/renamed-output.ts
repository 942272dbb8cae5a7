import type { KeycodeTranslation } from "@qmk-edge/keymap";
import { LIMITS } from "@qmk-edge/schema";

// `result.output` is what QMK Configurator shows: the log's tail. The keycodes the agent renamed are among
// the log's first lines; when the tail cuts those off, they come first all the same, so a user who sent
// RGB_TOG learns that the firmware holds RM_TOGG.

const MARKER = "[... start of the log cut; the full log is the job's log artifact ...]\n";

export function tail(text: string, max: number = LIMITS.logTailChars): string {
  if (text.length <= max) return text;
  return MARKER + text.slice(text.length - (max - MARKER.length));
}

export function renamedOutput(
  text: string,
  translations: readonly KeycodeTranslation[],
  max: number = LIMITS.logTailChars,
): string {
  if (translations.length === 0 || text.length <= max) return tail(text, max);
  const shown = translations
    .slice(0, 40)
    .map((t) => `keycode ${t.path}: ${t.from} is ${t.to} in this firmware (renamed)`);
  const more =
    translations.length > shown.length ? [`... and ${translations.length - shown.length} more renamed`] : [];
  const head = `${[...shown, ...more].join("\n")}\n`;
  return head + tail(text, max - head.length);
}
