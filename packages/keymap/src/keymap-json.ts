import type { CompileRequest } from "@qmk-edge/schema";
import { renderKeycode } from "./keycode.ts";
import { parseKeymapLayers } from "./keymap-layers.ts";

type KeymapJsonFields = Pick<
  CompileRequest,
  "keyboard" | "keymap" | "layout" | "layers" | "author" | "notes" | "documentation" | "converter"
>;

const INDENT = "    ";

// The keymap.json of the source zip, in the order QMK's KeymapJSONEncoder writes: version, author, notes,
// the rest alphabetically, layers (one line of keycodes per layer), documentation. 4-space indent, `version: 1`,
// keycodes in canonical form, trailing newline. Unknown fields (encoders, config, ...) are left out: they were
// not built. Throws InvalidKeymapError for a request that parseCompileRequest would refuse.
export function generateKeymapJson(request: KeymapJsonFields): string {
  const { layers } = parseKeymapLayers(request);
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
