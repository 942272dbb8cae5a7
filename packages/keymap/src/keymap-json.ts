import { renderKeycode } from "./keycode.ts";
import type { MacroStep } from "./parsed-request.ts";
import { type ParsedCompileRequest, parsedKeymapOf } from "./parsed-request.ts";

const INDENT = "    ";

const list = (items: readonly string[]) => `[${items.map((s) => JSON.stringify(s)).join(", ")}]`;

function stepJson(step: MacroStep): string {
  switch (step.kind) {
    case "text":
      return JSON.stringify(step.text);
    case "beep":
      return '{"action": "beep"}';
    case "delay":
      return `{"action": "delay", "duration": ${step.ms}}`;
    default:
      return `{"action": "${step.kind}", "keycodes": ${list(step.keys)}}`;
  }
}

// The keymap.json of the source zip, in the order QMK's KeymapJSONEncoder writes: version, author, notes,
// the rest alphabetically (config, encoders, keycodes and macros one entry per line), layers (one line of
// keycodes per layer), documentation. 4-space indent, `version: 1`, keycodes in canonical form, trailing
// newline. Throws InvalidKeymapError for anything parseCompileRequest did not produce.
export function generateKeymapJson(request: ParsedCompileRequest): string {
  const { layers, macros } = parsedKeymapOf(request);
  const field = (key: string, value: unknown) => `${INDENT}${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  const rows = (key: string, items: readonly string[]) =>
    items.length === 0
      ? `${INDENT}"${key}": []`
      : `${INDENT}"${key}": [\n${items.map((i) => `${INDENT}${INDENT}${i}`).join(",\n")}\n${INDENT}]`;
  const lines = (
    [
      ["version", 1],
      ["author", request.author],
      ["notes", request.notes],
      ["config", request.config],
      ["converter", request.converter],
    ] as const
  )
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => field(key, value));
  if (request.encoders !== undefined)
    lines.push(
      rows(
        "encoders",
        request.encoders.map((l) => JSON.stringify(l)),
      ),
    );
  lines.push(field("keyboard", request.keyboard));
  if (request.keycodes !== undefined)
    lines.push(
      rows(
        "keycodes",
        request.keycodes.map((k) => JSON.stringify(k)),
      ),
    );
  lines.push(field("keymap", request.keymap), field("layout", request.layout));
  if (macros !== undefined)
    lines.push(
      rows(
        "macros",
        macros.map((macro) => `[${macro.map(stepJson).join(", ")}]`),
      ),
    );
  const layerLines = layers.map(
    (layer) =>
      `${INDENT}${INDENT}[\n${INDENT.repeat(3)}${layer.map((k) => JSON.stringify(renderKeycode(k))).join(", ")}\n${INDENT}${INDENT}]`,
  );
  lines.push(`${INDENT}"layers": [\n${layerLines.join(",\n")}\n${INDENT}]`);
  if (request.documentation !== undefined) lines.push(field("documentation", request.documentation));
  return `{\n${lines.join(",\n")}\n}\n`;
}
