import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogueManifest, keyboardInfo } from "@qmk-edge/schema";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DerivedCatalogue, deriveCatalogue } from "../src/catalogue/derive.ts";
import { listKeyboardFolders } from "../src/catalogue/keyboard-list.ts";
import { silentLogger } from "../src/log.ts";
import { readKeyboard } from "../src/tree/keyboard-info.ts";
import { listKeyboardsRule } from "../src/tree/qmk-list-rule.ts";
import {
  LIST_KEYBOARDS_2024,
  LIST_KEYBOARDS_2026,
  makeQmk2024Tree,
  QMK_2024_KEYBOARDS,
} from "../test-support/catalogue-trees.ts";

// The catalogue holds every keyboard `qmk list-keyboards` lists for the tree, by the rule of the tree's own
// QMK, each described with what can be known of it: on a 2024-shaped fixture tree with one keyboard of
// each kind a real 2024 tree has, and on the demo tree (QMK 2026's rule).

let dir: string;
let old: DerivedCatalogue;
const tree = (root: string) => ({ root, version: "fixture", origin: { kind: "path" as const, path: root } });
const infoOf = (c: DerivedCatalogue, kb: string) => {
  const entry = c.manifest.keyboards[kb];
  if (!entry) throw new Error(`${kb} is not in the catalogue`);
  return keyboardInfo.parse(JSON.parse(new TextDecoder().decode(c.objects.get(entry.info)!.bytes)));
};
const notesOf = (c: DerivedCatalogue, kb: string) => c.partial.find((p) => p.keyboard === kb)?.notes ?? [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-catalogue-rules-"));
  old = await deriveCatalogue(tree(await makeQmk2024Tree(join(dir, "qmk2024"))), {
    log: silentLogger,
    lastUpdated: "x",
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("which rule the tree's QMK lists keyboards by", () => {
  test("read from list_keyboards in lib/python/qmk/keyboard.py, and nowhere else in the file", () => {
    expect(listKeyboardsRule(LIST_KEYBOARDS_2024)).toEqual({ markers: ["rules.mk"], resolveDefaults: true });
    expect(listKeyboardsRule(LIST_KEYBOARDS_2026)).toEqual({
      markers: ["keyboard.json"],
      resolveDefaults: false,
    });
    expect(listKeyboardsRule("def other():\n    return 'rules.mk'\n")).toBeNull();
  });

  test("a tree without that file (the demo tree) follows QMK 2026: keyboard.json folders", async () => {
    const listed = await listKeyboardFolders(DEMO_TREE);
    expect(listed.rule).toMatchObject({ markers: ["keyboard.json"], resolveDefaults: false });
    expect(listed.keyboards).toEqual([
      "handwired/edge_duo/rev1",
      "handwired/edge_pad",
      "handwired/edge_sixty",
      "handwired/edge_split",
    ]);
  });
});

describe("a 2024 tree: every rules.mk folder, through its DEFAULT_FOLDER", () => {
  test("every keyboard QMK lists is in the catalogue, and nothing else", async () => {
    expect((await listKeyboardFolders(join(dir, "qmk2024"))).rule).toMatchObject({ markers: ["rules.mk"] });
    expect(Object.keys(catalogueManifest.parse(old.manifest).keyboards)).toEqual(QMK_2024_KEYBOARDS);
    const skipped = Object.fromEntries(old.skipped.map((s) => [s.folder, s.reason]));
    expect(skipped["lonely/kb"]).toMatch(/lists folders with rules\.mk/);
    expect(Object.keys(skipped).some((f) => f.includes("keymaps"))).toBe(false);
  });

  test("keys without a matrix in info.json take it from the LAYOUT macro of the keyboard's .h (atreus)", () => {
    for (const kb of ["atreus/astar", "atreus/teensy2"]) {
      const info = infoOf(old, kb);
      expect(info.layouts.LAYOUT!.layout).toEqual([
        { x: 0, y: 0, w: 1, label: "k00", matrix: [0, 0] },
        { x: 1, y: 0, w: 1, label: "k01", matrix: [0, 1] },
        { x: 0, y: 1, w: 1, label: "k10", matrix: [1, 0] },
        { x: 1, y: 1, w: 1, label: "k11", matrix: [1, 1] },
      ]);
      expect(Object.keys(info.layouts)).toEqual(["LAYOUT"]); // LAYOUT_kc is not a layout
      expect(info.manufacturer).toBe("Technomancy");
    }
    expect(infoOf(old, "atreus/teensy2").processor).toBe("at90usb1286"); // from MCU in its rules.mk
  });

  test("a revision that is also the parent of other keyboards is a keyboard (splitkb/kyria/rev1)", () => {
    expect(infoOf(old, "splitkb/kyria/rev1")).toMatchObject({
      keyboard_name: "Kyria rev1",
      keyboard_folder: "splitkb/kyria/rev1",
      processor: "atmega32u4",
      manufacturer: "splitkb.com",
    });
    expect(infoOf(old, "splitkb/kyria/rev1/proton_c").processor).toBe("STM32F303");
    expect(old.manifest.aliases["splitkb/kyria"]).toBe("splitkb/kyria/rev1");
  });

  test("a rules.mk-only folder takes layouts from a parent's .h (helix/rev2/back) or info.json (keychron)", async () => {
    const back = infoOf(old, "helix/rev2/back");
    expect(back).toMatchObject({ keyboard_name: "Helix rev2", processor: "atmega32u4" });
    expect(back.layouts.LAYOUT_half!.layout.map((k) => k.matrix)).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    expect(back.layout_aliases).toEqual({ LAYOUT: "LAYOUT_half" });
    const q4 = infoOf(old, "keychron/q4/ansi/v1");
    expect(q4).toMatchObject({
      manufacturer: "Keychron",
      processor: "STM32L432",
      keyboard_name: "keychron/q4/ansi/v1",
    });
    expect(q4.layouts.LAYOUT_60_ansi!.layout).toHaveLength(3);
    expect(infoOf(old, "mechwild/obe/f401/eeprom")).toMatchObject({ processor: "STM32F401" });
    // And a job reads it the same way: the layout a request names is there, with its key count.
    const kb = await readKeyboard(join(dir, "qmk2024"), "helix/rev2/back");
    expect(kb).toMatchObject({
      toolchain: "avr",
      layouts: { LAYOUT_half: 3 },
      aliases: { LAYOUT: "LAYOUT_half" },
    });
    for (const kb of ["atreus/astar", "splitkb/kyria/rev1", "helix/rev2/back", "keychron/q4/ansi/v1"])
      expect(notesOf(old, kb), kb).toEqual([]);
  });

  test("a keyboard the agent cannot build or fully read is published with what is known, and why", () => {
    expect(infoOf(old, "sipeed/longan").processor).toBe("GD32VF103");
    expect(notesOf(old, "sipeed/longan")).toEqual(["its processor GD32VF103 is neither avr nor arm"]);
    expect(infoOf(old, "broken/kb")).toMatchObject({
      keyboard_name: "broken/kb",
      processor: "atmega32u4",
      layouts: {},
    });
    expect(notesOf(old, "broken/kb").join("\n")).toMatch(
      /not included: keyboards\/broken\/kb\/info\.json .*not valid JSON/,
    );
  });
});

describe("QMK 2026's rule on a tree made from the demo tree", () => {
  test("keyboard.json folders, each published; rules.mk folders are no keyboards of their own", async () => {
    const root = join(dir, "odd-tree");
    await cp(DEMO_TREE, root, { recursive: true, filter: (p) => !/\/\.build$/.test(p) });
    const kb = (p: string) => join(root, "keyboards", p);
    const write = async (p: string, text: string) => {
      await mkdir(join(kb(p), ".."), { recursive: true });
      await writeFile(kb(p), text);
    };
    await write("org/noproc/keyboard.json", JSON.stringify({ layouts: {} }));
    await write("org/broken/keyboard.json", "{ not json");
    await write(
      "org/misfit/keyboard.json",
      JSON.stringify({ keyboard_name: 42, usb: "none", processor: "atmega32u4" }),
    );
    await write("org/rulesonly/rules.mk", "SRC += x.c\n");
    await write("handwired/edge_pad/keymaps/fake/keyboard.json", JSON.stringify({ processor: "atmega32u4" }));
    await write("org/shared/info.json", JSON.stringify({ processor: "atmega32u4", layouts: {} }));
    await write("org/shared/rules.mk", "SRC += shared.c\n");
    await write("org/shared/v1/keyboard.json", JSON.stringify({ keyboard_name: "v1" }));
    await write("org/.hidden/keyboard.json", JSON.stringify({ processor: "atmega32u4" }));
    const odd = await deriveCatalogue(tree(root), { log: silentLogger, lastUpdated: "x" });
    expect(Object.keys(odd.manifest.keyboards)).toEqual([
      "handwired/edge_duo/rev1",
      "handwired/edge_pad",
      "handwired/edge_sixty",
      "handwired/edge_split",
      "org/broken",
      "org/misfit",
      "org/noproc",
      "org/shared/v1",
    ]);
    expect(notesOf(odd, "org/noproc")).toEqual(["it names no processor"]);
    expect(infoOf(odd, "org/shared/v1")).toMatchObject({ keyboard_name: "v1", processor: "atmega32u4" });
    // A field that does not fit the catalogue is left out, and said so; the keyboard stays.
    expect(infoOf(odd, "org/misfit")).toMatchObject({ keyboard_name: "org/misfit", processor: "atmega32u4" });
    expect(infoOf(odd, "org/misfit")).not.toHaveProperty("usb");
    expect(notesOf(odd, "org/misfit").join("\n")).toMatch(/left out of its info: keyboard_name[\s\S]*usb/);
    const reasons = Object.fromEntries(odd.skipped.map((s) => [s.folder, s.reason]));
    expect(reasons["org/rulesonly"]).toMatch(/lists folders with keyboard\.json/);
    expect(reasons["org/shared"]).toMatch(/lists folders with keyboard\.json/);
    expect(Object.keys(reasons).some((f) => f.includes("keymaps") || f.includes("hidden"))).toBe(false);
  });
});
