import { cp, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";

// Small QMK-shaped trees for the catalogue's rules and QMK's keycode renames, each reproducing what real
// trees hold (written here, never copied from QMK).

type Files = Record<string, string | Record<string, unknown>>;

async function writeFiles(root: string, files: Files): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(
      join(root, path),
      typeof content === "string" ? content : JSON.stringify(content, null, 2),
    );
  }
}

// Stand-ins for the list_keyboards of lib/python/qmk/keyboard.py, in the two shapes QMK has had: the
// agent reads which file name is globbed and whether found folders go through resolve_keyboard.
export const LIST_KEYBOARDS_2024 = `def list_keyboards(resolve_defaults=True):
    # every folder with a rules.mk, each through its DEFAULT_FOLDER
    found = folders_with("rules.mk")
    return sorted(set(resolve_keyboard(f) for f in found)) if resolve_defaults else sorted(found)


def resolve_keyboard(keyboard):
    return keyboard
`;
export const LIST_KEYBOARDS_2026 = `@lru_cache(maxsize=None)
def list_keyboards():
    # every folder with a keyboard.json
    return sorted(set(folders_with('keyboard.json')))


def config_h(keyboard):
    return "rules.mk"
`;

const key = (x: number, y: number, matrix?: [number, number]) => (matrix ? { x, y, matrix } : { x, y });

// A 2024-shaped tree (QMK lists every rules.mk folder, through DEFAULT_FOLDER) with one keyboard of each
// kind the 2024 catalogue left out, named after the real ones:
//   atreus/*            info.json keys without `matrix`; the LAYOUT macro of atreus/atreus.h has it
//   splitkb/kyria/rev1  a revision (rules.mk + info.json) that is also the parent of rev1/proton_c
//   helix/rev2/back     rules.mk only; layouts from the macros of helix/rev2/rev2.h
//   keychron/q4/ansi/v1 rules.mk only; layouts from keychron/q4/info.json
//   mechwild/obe/f401/eeprom rules.mk only, beside a DEFAULT_FOLDER sibling
// and what QMK lists but the agent cannot build (a RISC-V board) or read (broken JSON), and a
// keyboard.json folder without rules.mk, which this QMK does not list.
export const QMK_2024_KEYBOARDS = [
  "atreus/astar",
  "atreus/teensy2",
  "broken/kb",
  "helix/rev2",
  "helix/rev2/back",
  "keychron/q4/ansi/v1",
  "mechwild/obe/f401/base",
  "mechwild/obe/f401/eeprom",
  "sipeed/longan",
  "splitkb/kyria/rev1",
  "splitkb/kyria/rev1/proton_c",
  "splitkb/kyria/rev2",
];

export async function makeQmk2024Tree(root: string): Promise<string> {
  const kb = (path: string) => `keyboards/${path}`;
  await writeFiles(root, {
    VERSION: "qmk-2024-fixture\n",
    "lib/python/qmk/keyboard.py": LIST_KEYBOARDS_2024,
    "quantum/keycodes.h":
      "enum qk_keycode_defines {\n    KC_NO = 0x0000,\n    KC_A = 0x0004,\n    KC_B = 0x0005,\n};\n",
    [kb("atreus/rules.mk")]: "DEFAULT_FOLDER = atreus/astar\n",
    [kb("atreus/info.json")]: {
      manufacturer: "Technomancy",
      layouts: { LAYOUT: { layout: [key(0, 0), key(1, 0), key(0, 1), key(1, 1, [1, 1])] } },
    },
    [kb("atreus/atreus.h")]: [
      "#pragma once",
      "/* k00 k01",
      "   k10 k11 */",
      "#define LAYOUT( \\",
      "    k00, k01, \\",
      "    k10, k11  \\",
      ") { \\",
      "    { k00, k01 }, \\",
      "    { k10, k11 }  \\",
      "}",
      "#define LAYOUT_kc(a, b, c, d) LAYOUT(KC_##a, KC_##b, KC_##c, KC_##d)",
      "",
    ].join("\n"),
    [kb("atreus/astar/rules.mk")]: "MCU = atmega32u4\n",
    [kb("atreus/teensy2/rules.mk")]: "MCU = at90usb1286\n",
    [kb("splitkb/kyria/rules.mk")]: "DEFAULT_FOLDER = splitkb/kyria/rev1\n",
    [kb("splitkb/kyria/info.json")]: {
      manufacturer: "splitkb.com",
      layouts: { LAYOUT: { layout: [key(0, 0, [0, 0]), key(1, 0, [0, 1])] } },
    },
    [kb("splitkb/kyria/rev1/rules.mk")]: "SPLIT_KEYBOARD = yes\n",
    [kb("splitkb/kyria/rev1/info.json")]: { keyboard_name: "Kyria rev1", processor: "atmega32u4" },
    [kb("splitkb/kyria/rev1/proton_c/rules.mk")]: "MCU = STM32F303\n",
    [kb("splitkb/kyria/rev1/proton_c/info.json")]: { processor: "STM32F303" },
    [kb("splitkb/kyria/rev2/rules.mk")]: "SPLIT_KEYBOARD = yes\n",
    [kb("splitkb/kyria/rev2/info.json")]: { keyboard_name: "Kyria rev2", processor: "atmega32u4" },
    [kb("helix/rules.mk")]: "DEFAULT_FOLDER = helix/rev2\n",
    [kb("helix/rev2/rules.mk")]: "SPLIT_KEYBOARD = yes\n",
    [kb("helix/rev2/info.json")]: { keyboard_name: "Helix rev2", processor: "atmega32u4" },
    [kb("helix/rev2/rev2.h")]: [
      "#pragma once",
      "#define LAYOUT_half(L00, L01, L02) { { L00, L01, L02 } }",
      "#define LAYOUT LAYOUT_half",
      "",
    ].join("\n"),
    [kb("helix/rev2/back/rules.mk")]: "RGBLIGHT_ENABLE = yes\n",
    [kb("keychron/q4/info.json")]: {
      manufacturer: "Keychron",
      processor: "STM32L432",
      layouts: { LAYOUT_60_ansi: { layout: [key(0, 0, [0, 0]), key(1, 0, [0, 1]), key(2, 0, [0, 2])] } },
    },
    [kb("keychron/q4/ansi/rules.mk")]: "DEFAULT_FOLDER = keychron/q4/ansi/v1\n",
    [kb("keychron/q4/ansi/v1/rules.mk")]: "RGB_MATRIX_ENABLE = yes\n",
    [kb("mechwild/obe/rules.mk")]: "DEFAULT_FOLDER = mechwild/obe/f401/base\n",
    [kb("mechwild/obe/info.json")]: {
      manufacturer: "MechWild",
      layouts: { LAYOUT: { layout: [key(0, 0, [0, 0])] } },
    },
    [kb("mechwild/obe/f401/info.json")]: { processor: "STM32F401" },
    [kb("mechwild/obe/f401/base/rules.mk")]: "",
    [kb("mechwild/obe/f401/eeprom/rules.mk")]: "EEPROM_DRIVER = spi\n",
    [kb("sipeed/longan/rules.mk")]: "",
    [kb("sipeed/longan/info.json")]: {
      processor: "GD32VF103",
      layouts: { LAYOUT: { layout: [key(0, 0, [0, 0])] } },
    },
    [kb("broken/kb/rules.mk")]: "MCU = atmega32u4\n",
    [kb("broken/kb/info.json")]: "{ not json",
    [kb("lonely/kb/keyboard.json")]: { processor: "atmega32u4", layouts: {} },
    [kb("helix/rev2/keymaps/default/rules.mk")]: "OLED_ENABLE = yes\n",
  });
  return root;
}

// The demo tree made like a tree of late 2024 and after (QMK's RGB keycode overhaul): keycodes.h no
// longer defines RGB_*, data/constants/keycodes records the history of the values (RGB_TOG became
// QK_UNDERGLOW_TOGGLE, MU_MOD became MU_NEXT), and two copies of edge_pad are lit: handwired/edge_glow by
// RGB Matrix (keyboard.json features), handwired/edge_under by rgblight (rules.mk).
export async function makeRenamedKeycodesTree(root: string): Promise<string> {
  await cp(DEMO_TREE, root, { recursive: true, filter: (p) => !/\/\.build$|\.(hex|bin|elf)$/.test(p) });
  const keycodesH = join(root, "quantum", "keycodes.h");
  const text = await readFile(keycodesH, "utf8");
  await writeFile(keycodesH, text.replace(/^[ \t]*RGB_[A-Z_]+[ \t]*=.*\n/gm, ""));
  // QMK's merge appends aliases to an older entry's unless the list starts with "!reset!".
  const lighting = (short: string, long: string) => ({
    group: "lighting",
    key: long,
    aliases: ["!reset!", short],
  });
  await writeFiles(root, {
    "data/constants/keycodes/keycodes_0.0.1.hjson": { keycodes: {} },
    "data/constants/keycodes/keycodes_0.0.1_audio.hjson": {
      keycodes: { "0x7493": { group: "audio", key: "MU_MOD" } },
    },
    "data/constants/keycodes/keycodes_0.0.1_lighting.hjson": {
      keycodes: {
        "0x7820": { group: "lighting", key: "RGB_TOG" },
        "0x7821": { group: "lighting", key: "RGB_MODE_FORWARD", aliases: ["RGB_MOD"] },
        "0x7823": { group: "lighting", key: "RGB_HUI" },
      },
    },
    "data/constants/keycodes/keycodes_0.0.2_audio.hjson": {
      keycodes: { "0x7493": { group: "audio", key: "QK_MUSIC_MODE_NEXT", aliases: ["MU_NEXT"] } },
    },
    "data/constants/keycodes/keycodes_0.0.6_lighting.hjson": {
      keycodes: {
        "0x7820": lighting("UG_TOGG", "QK_UNDERGLOW_TOGGLE"),
        "0x7821": lighting("UG_NEXT", "QK_UNDERGLOW_MODE_NEXT"),
        "0x7823": lighting("UG_HUEU", "QK_UNDERGLOW_HUE_UP"),
        "0x7840": lighting("RM_TOGG", "QK_RGB_MATRIX_TOGGLE"),
        "0x7841": lighting("RM_NEXT", "QK_RGB_MATRIX_MODE_NEXT"),
        "0x7843": lighting("RM_HUEU", "QK_RGB_MATRIX_HUE_UP"),
      },
    },
  });
  for (const [name, lit] of [
    ["edge_glow", "matrix"],
    ["edge_under", "rgblight"],
  ] as const) {
    const dir = join(root, "keyboards", "handwired", name);
    await cp(join(root, "keyboards", "handwired", "edge_pad"), dir, { recursive: true });
    await rename(join(dir, "edge_pad.h"), join(dir, `${name}.h`));
    const info = JSON.parse(await readFile(join(dir, "keyboard.json"), "utf8"));
    info.keyboard_name = name;
    if (lit === "matrix") info.features = { ...info.features, rgb_matrix: true };
    else await writeFile(join(dir, "rules.mk"), "RGBLIGHT_ENABLE = yes\n");
    await writeFile(join(dir, "keyboard.json"), JSON.stringify(info, null, 2));
  }
  return root;
}
