import { describe, expect, it } from "vitest";
import {
  keycodeAliasPairs,
  keycodeVersionOrder,
  qmkKeycodeRenames,
  renamesFromKeycodeHjson,
  rgbMatrixRenames,
} from "./qmk-keycode-renames.ts";

// QMK's keycode records in the shape of data/constants/keycodes: the values stay, names change.
const file = (name: string, keycodes: Record<string, unknown>) => ({
  name,
  text: JSON.stringify({ keycodes }),
});
const HISTORY = [
  file("keycodes_0.0.1_audio.hjson", {
    "0x7492": { group: "audio", key: "MU_TOG" },
    "0x7493": { group: "audio", key: "MU_MOD" },
  }),
  file("keycodes_0.0.1_lighting.hjson", {
    "0x7820": { group: "lighting", key: "RGB_TOG" },
    "0x7821": { group: "lighting", key: "RGB_MODE_FORWARD", aliases: ["RGB_MOD"] },
  }),
  file("keycodes_0.0.1.hjson", {}),
  // 0.0.2: MU_TOG gains a long name and keeps its short one; MU_MOD becomes MU_NEXT.
  file("keycodes_0.0.2_audio.hjson", {
    "0x7492": { group: "audio", key: "QK_MUSIC_TOGGLE", aliases: ["MU_TOGG"] },
    "0x7493": { group: "audio", key: "QK_MUSIC_MODE_NEXT", aliases: ["MU_NEXT"] },
  }),
  // 0.0.10 (after 0.0.2, not between 0.0.1 and 0.0.2): underglow and RGB Matrix keys.
  file("keycodes_0.0.10_lighting.hjson", {
    "0x7820": { group: "lighting", key: "QK_UNDERGLOW_TOGGLE", aliases: ["UG_TOGG"] },
    "0x7821": { group: "lighting", key: "QK_UNDERGLOW_MODE_NEXT", aliases: ["UG_NEXT"] },
    "0x7840": { group: "lighting", key: "QK_RGB_MATRIX_TOGGLE", aliases: ["RM_TOGG"] },
    "0x7841": { group: "lighting", key: "QK_RGB_MATRIX_MODE_NEXT", aliases: ["RM_NEXT"] },
  }),
  file("keycodes_0.0.3_quantum.hjson", {
    "0x7c00": { group: "quantum", key: "QK_BOOTLOADER", aliases: ["QK_BOOT"] },
  }),
  // A value given to a keycode of another group later is renumbering, not renaming.
  file("keycodes_0.0.1_quantum.hjson", { "0x7c00": { group: "magic", key: "MAGIC_SWAP_X" } }),
];
const DEFINED = new Set([
  "QK_MUSIC_TOGGLE",
  "MU_TOGG",
  "QK_MUSIC_MODE_NEXT",
  "MU_NEXT",
  "QK_UNDERGLOW_TOGGLE",
  "UG_TOGG",
  "QK_UNDERGLOW_MODE_NEXT",
  "UG_NEXT",
  "QK_RGB_MATRIX_TOGGLE",
  "RM_TOGG",
  "QK_RGB_MATRIX_MODE_NEXT",
  "RM_NEXT",
  "QK_BOOTLOADER",
  "QK_BOOT",
  "KC_BACKSPACE",
  "KC_BSPC",
]);

describe("renames from QMK's keycode hjson history", () => {
  it("orders versions numerically, the base file before its fragments", () => {
    expect(keycodeVersionOrder(HISTORY).map((f) => f.name)).toEqual([
      "keycodes_0.0.1.hjson",
      "keycodes_0.0.1_audio.hjson",
      "keycodes_0.0.1_lighting.hjson",
      "keycodes_0.0.1_quantum.hjson",
      "keycodes_0.0.2_audio.hjson",
      "keycodes_0.0.3_quantum.hjson",
      "keycodes_0.0.10_lighting.hjson",
    ]);
  });

  it("renames each name a value lost to the short name the value has now", () => {
    expect(Object.fromEntries(renamesFromKeycodeHjson(HISTORY, DEFINED))).toEqual({
      MU_TOG: "MU_TOGG",
      MU_MOD: "MU_NEXT",
      RGB_TOG: "UG_TOGG",
      RGB_MODE_FORWARD: "UG_NEXT",
      RGB_MOD: "UG_NEXT",
    });
  });

  it("leaves names the tree still defines, and goes to no name it lacks", () => {
    const renames = renamesFromKeycodeHjson(
      HISTORY,
      new Set([...DEFINED, "RGB_TOG"].filter((n) => n !== "MU_NEXT")),
    );
    expect(renames.has("RGB_TOG")).toBe(false);
    expect(renames.get("MU_MOD")).toBe("QK_MUSIC_MODE_NEXT");
  });

  it("adds the legacy headers' renames the history lacks, the history winning", () => {
    const all = qmkKeycodeRenames(HISTORY, DEFINED);
    expect(all.get("KC_BSPACE")).toBe("KC_BSPC");
    expect(all.get("RESET")).toBe("QK_BOOT");
    expect(all.get("MU_MOD")).toBe("MU_NEXT");
  });

  it("on an RGB Matrix board, renames that land on underglow keys land on RGB Matrix keys", () => {
    const pairs = keycodeAliasPairs(
      [
        "enum qk_keycode_aliases {",
        "    UG_TOGG = QK_UNDERGLOW_TOGGLE,",
        "    UG_NEXT    = QK_UNDERGLOW_MODE_NEXT,",
        "    RM_TOGG = QK_RGB_MATRIX_TOGGLE,",
        "    RM_NEXT = QK_RGB_MATRIX_MODE_NEXT,",
        "    MU_NEXT = QK_MUSIC_MODE_NEXT,",
        "};",
      ].join("\n"),
    );
    expect(pairs.get("UG_NEXT")).toBe("QK_UNDERGLOW_MODE_NEXT");
    const renames = qmkKeycodeRenames(HISTORY, DEFINED);
    expect(Object.fromEntries(rgbMatrixRenames(renames, pairs, DEFINED))).toMatchObject({
      RGB_TOG: "RM_TOGG",
      RGB_MOD: "RM_NEXT",
      RGB_MODE_FORWARD: "RM_NEXT",
    });
    expect(rgbMatrixRenames(renames, pairs, DEFINED).has("MU_MOD")).toBe(false);
    // A tree without RGB Matrix keys has nothing to move to.
    expect(
      rgbMatrixRenames(
        renames,
        pairs,
        new Set([...DEFINED].filter((n) => !n.includes("RGB_MATRIX") && !n.startsWith("RM_"))),
      ).size,
    ).toBe(0);
  });
});
