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
// the rest alphabetically (macros one line each), layers (one line of keycodes per layer), documentation.
// 4-space indent, `version: 1`, keycodes in canonical form, trailing newline. Unknown fields (encoders,
// config, ...) are left out: they were not built. Throws InvalidKeymapError for anything parseCompileRequest
// did not produce.
export function generateKeymapJson(request: ParsedCompileRequest): string {
  const { layers, macros } = parsedKeymapOf(request);
  const fields: [string, unknown][] = [
    ["version", 1],
    ["author", request.author],
    ["notes", request.notes],
    ["converter", request.converter],
    ["keyboard", request.keyboard],
    ["keymap", request.keymap],
    ["layout", request.layout],
  ];
  const lines = fields
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${INDENT}${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  if (macros !== undefined) {
    const rows = macros.map((macro) => `${INDENT}${INDENT}[${macro.map(stepJson).join(", ")}]`);
    lines.push(
      macros.length === 0 ? `${INDENT}"macros": []` : `${INDENT}"macros": [\n${rows.join(",\n")}\n${INDENT}]`,
    );
  }
  const layerLines = layers.map(
    (layer) =>
      `${INDENT}${INDENT}[\n${INDENT.repeat(3)}${layer.map((k) => JSON.stringify(renderKeycode(k))).join(", ")}\n${INDENT}${INDENT}]`,
  );
  lines.push(`${INDENT}"layers": [\n${layerLines.join(",\n")}\n${INDENT}]`);
  if (request.documentation !== undefined) {
    lines.push(`${INDENT}"documentation": ${JSON.stringify(request.documentation)}`);
  }
  return `{\n${lines.join(",\n")}\n}\n`;
}
