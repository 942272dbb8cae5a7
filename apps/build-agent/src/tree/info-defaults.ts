import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseHjson } from "@qmk-edge/keymap";

// What QMK fills into a keyboard's info from data/mappings/defaults.hjson (qmk.info._process_defaults):
// a `development_board: promicro` brings processor atmega32u4, bootloader caterina, pin_compatible, and
// so on, each only where the keyboard's own files say nothing. A tree without that file (the demo tree,
// old trees) gets the processors of the boards QMK has long known, so the toolchain can still be chosen.

export const DEFAULTS_FILE = "data/mappings/defaults.hjson";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const BUILT_IN: Json = {
  development_board: Object.fromEntries(
    Object.entries({
      promicro: "atmega32u4",
      elite_c: "atmega32u4",
      bit_c_pro: "RP2040",
      bluepill: "STM32F103",
      blackpill_f401: "STM32F401",
      blackpill_f411: "STM32F411",
      proton_c: "STM32F303",
      kb2040: "RP2040",
      promicro_rp2040: "RP2040",
      elite_pi: "RP2040",
    }).map(([board, processor]) => [board, { processor }]),
  ),
};

// One read per tree: every keyboard of a catalogue needs it.
const byRoot = new Map<string, Promise<Json>>();

function defaultsOf(treeRoot: string): Promise<Json> {
  let p = byRoot.get(treeRoot);
  if (!p) {
    p = readFile(join(treeRoot, DEFAULTS_FILE), "utf8").then(
      (text) => {
        const data = parseHjson(text);
        return isObject(data) ? data : BUILT_IN;
      },
      () => BUILT_IN,
    );
    byRoot.set(treeRoot, p);
  }
  return p;
}

export async function withQmkDefaults(treeRoot: string, info: Json): Promise<Json> {
  const defaults = await defaultsOf(treeRoot).catch(() => BUILT_IN);
  const out = { ...info };
  for (const [kind, table] of Object.entries(defaults)) {
    const chosen =
      typeof info[kind] === "string" && isObject(table) ? table[info[kind] as string] : undefined;
    if (!isObject(chosen)) continue;
    for (const [key, value] of Object.entries(chosen)) if (!(key in out)) out[key] = value;
  }
  return out;
}
