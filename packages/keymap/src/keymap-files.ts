import { CONFIG_DEFINES, CONFIG_LIGHTING, CONFIG_RULES } from "@qmk-edge/schema";
import type { ParsedCompileRequest } from "./parsed-request.ts";
import { parsedKeymapOf } from "./parsed-request.ts";

// The keymap-level files QMK makes from a keymap.json's other fields (builddefs/build_keyboard.mk, 2026):
// `qmk generate-config-h` (config.h, from `config`), `qmk generate-rules-mk` (rules.mk, from `config` and
// `converter`) and `qmk generate-keymap-h` (keymap.h, from `keycodes`), byte for byte. Every value was
// checked by the schema (keymapConfigErrors, the keycode grammars), so only identifiers, digits, `yes`/`no`
// and `true`/`false` reach these files. QMK dates its header with the year it runs in; the caller gives it,
// so the output depends on the request alone.

const C_BANNER = [
  "/*******************************************************************************",
  "  88888888888 888      d8b                .d888 d8b 888               d8b",
  '      888     888      Y8P               d88P"  Y8P 888               Y8P',
  "      888     888                        888        888",
  "      888     88888b.  888 .d8888b       888888 888 888  .d88b.       888 .d8888b",
  '      888     888 "88b 888 88K           888    888 888 d8P  Y8b      888 88K',
  '      888     888  888 888 "Y8888b.      888    888 888 88888888      888 "Y8888b.',
  "      888     888  888 888      X88      888    888 888 Y8b.          888      X88",
  "      888     888  888 888  88888P'      888    888 888  \"Y8888       888  88888P'",
  "                                                        888                 888",
  "                                                        888                 888",
  "                                                        888                 888",
  "     .d88b.   .d88b.  88888b.   .d88b.  888d888 8888b.  888888 .d88b.   .d88888",
  '    d88P"88b d8P  Y8b 888 "88b d8P  Y8b 888P"      "88b 888   d8P  Y8b d88" 888',
  "    888  888 88888888 888  888 88888888 888    .d888888 888   88888888 888  888",
  "    Y88b 888 Y8b.     888  888 Y8b.     888    888  888 Y88b. Y8b.     Y88b 888",
  '     "Y88888  "Y8888  888  888  "Y8888  888    "Y888888  "Y888 "Y8888   "Y88888',
  "         888",
  "    Y8b d88P",
  '     "Y88P"',
  "*******************************************************************************/",
].join("\n");

const SH_BANNER = [
  "################################################################################",
  "#",
  "# 88888888888 888      d8b                .d888 d8b 888               d8b",
  '#     888     888      Y8P               d88P"  Y8P 888               Y8P',
  "#     888     888                        888        888",
  "#     888     88888b.  888 .d8888b       888888 888 888  .d88b.       888 .d8888b",
  '#     888     888 "88b 888 88K           888    888 888 d8P  Y8b      888 88K',
  '#     888     888  888 888 "Y8888b.      888    888 888 88888888      888 "Y8888b.',
  "#     888     888  888 888      X88      888    888 888 Y8b.          888      X88",
  "#     888     888  888 888  88888P'      888    888 888  \"Y8888       888  88888P'",
  "#",
  "#                                                       888                 888",
  "#                                                       888                 888",
  "#                                                       888                 888",
  "#    .d88b.   .d88b.  88888b.   .d88b.  888d888 8888b.  888888 .d88b.   .d88888",
  '#   d88P"88b d8P  Y8b 888 "88b d8P  Y8b 888P"      "88b 888   d8P  Y8b d88" 888',
  "#   888  888 88888888 888  888 88888888 888    .d888888 888   88888888 888  888",
  "#   Y88b 888 Y8b.     888  888 Y8b.     888    888  888 Y88b. Y8b.     Y88b 888",
  '#    "Y88888  "Y8888  888  888  "Y8888  888    "Y888888  "Y888 "Y8888   "Y88888',
  "#        888",
  "#   Y8b d88P",
  '#    "Y88P"',
  "#",
  "################################################################################",
].join("\n");

const cHeader = (year: number) =>
  `// Copyright ${year} QMK\n// SPDX-License-Identifier: GPL-2.0-or-later\n\n${C_BANNER}\n`;
const shHeader = (year: number) =>
  `# Copyright ${year} QMK\n# SPDX-License-Identifier: GPL-2.0-or-later\n\n${SH_BANNER}\n`;

// dump_lines: the lines joined, one newline at the end.
const dump = (lines: string[]) => `${lines.join("\n")}\n`;

type Json = Record<string, unknown>;

// dotty's lookup of a dotted key: undefined when any part is missing.
function lookup(config: Json, key: string): unknown {
  let node: unknown = config;
  for (const part of key.split(".")) {
    if (typeof node !== "object" || node === null || !(part in node)) return undefined;
    node = (node as Json)[part];
  }
  return node;
}

// generate_define / generate_flag in keymap mode: a keymap's value replaces the keyboard's.
const define = (name: string, value?: string | number) =>
  `\n#undef ${name}\n#define ${name}${value === undefined ? "" : ` ${value}`}`;
const flag = (name: string, on: boolean) => (on ? `\n#define ${name}` : `\n#undef ${name}`);

export interface KeymapFileOptions {
  year: number; // of QMK's copyright line
}

// config.h as `qmk generate-config-h <keymap.json>` writes it; the header alone when there is no `config`.
export function generateConfigH(request: ParsedCompileRequest, options: KeymapFileOptions): string {
  parsedKeymapOf(request);
  const config = (request.config ?? {}) as Json;
  const lines = [cHeader(options.year), "#pragma once"];
  for (const entry of CONFIG_DEFINES) {
    const value = lookup(config, entry.key);
    if (value === undefined) continue;
    if (entry.type === "int") lines.push(define(entry.define, value as number));
    else if (entry.type === "bool") lines.push(define(entry.define, value ? "true" : "false"));
    else lines.push(flag(entry.define, value as boolean));
  }
  // generate_encoder_config: a keymap's `encoder` object replaces the pins with its own, none here.
  if ("encoder" in config) lines.push(define("ENCODER_A_PINS", "{  }"), define("ENCODER_B_PINS", "{  }"));
  for (const light of CONFIG_LIGHTING) {
    const section = config[light.key] as Json | undefined;
    if (section === undefined) continue;
    const animation = lookup(section, "default.animation");
    if (typeof animation === "string") {
      lines.push(
        define(`${light.key.toUpperCase()}_DEFAULT_MODE`, `${light.mode}${animation.toUpperCase()}`),
      );
    }
    const animations = (section.animations ?? {}) as Record<string, boolean>;
    for (const [name, on] of Object.entries(animations))
      lines.push(flag(`${light.enable}${name.toUpperCase()}`, on));
  }
  return dump(lines);
}

// rules.mk as `qmk generate-rules-mk <keymap.json>` writes it: `=` assignments, so a keymap's choice wins
// over the keyboard's `?=` defaults.
export function generateRulesMk(request: ParsedCompileRequest, options: KeymapFileOptions): string {
  parsedKeymapOf(request);
  const config = (request.config ?? {}) as Json;
  const lines = [shHeader(options.year)];
  for (const entry of CONFIG_RULES) {
    const value = lookup(config, entry.key);
    if (value !== undefined) lines.push(`${entry.rule} = ${value ? "yes" : "no"}`);
  }
  const features = (config.features ?? {}) as Record<string, boolean>;
  for (const [name, on] of Object.entries(features))
    lines.push(`${name.toUpperCase()}_ENABLE = ${on ? "yes" : "no"}`);
  if (request.converter) lines.push(`CONVERT_TO = ${request.converter}`);
  return dump(lines);
}

// keymap.h as `qmk generate-keymap-h <keymap.json>` writes it: custom keycodes from QK_USER_0, aliases as
// #defines, after any keymap.h further down the include path.
export function generateKeymapH(request: ParsedCompileRequest, options: KeymapFileOptions): string {
  parsedKeymapOf(request);
  const lines = [
    cHeader(options.year),
    "#pragma once",
    "// clang-format off",
    '#if __has_include_next("keymap.h")',
    '#    include_next "keymap.h"',
    "#endif",
  ];
  const keycodes = request.keycodes;
  if (keycodes !== undefined) {
    lines.push("enum keymap_keycodes {");
    keycodes.forEach((k, i) => {
      lines.push(i === 0 ? `  ${k.key} = QK_USER_0,` : `  ${k.key},`);
    });
    lines.push("};");
    for (const k of keycodes) for (const alias of k.aliases ?? []) lines.push(`#define ${alias} ${k.key}`);
  }
  return dump(lines);
}
