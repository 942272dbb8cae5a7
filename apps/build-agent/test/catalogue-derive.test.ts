import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogueKeycodes, catalogueManifest, keyboardInfo } from "@qmk-edge/schema";
import { demoKeyboards } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DerivedCatalogue, deriveCatalogue } from "../src/catalogue/derive.ts";
import { silentLogger } from "../src/log.ts";
import { TreeManager } from "../src/tree/firmware-tree.ts";

// The catalogue derived from the real demo tree: which folders are keyboards, each one's merged info,
// readme and default keymap, the aliases, and the keycodes object, every object addressed by its sha256.

let dir: string;
let derived: DerivedCatalogue;

const text = (c: DerivedCatalogue, digest: string | null | undefined) => {
  if (!digest) throw new Error("no object");
  const o = c.objects.get(digest);
  if (!o) throw new Error(`object ${digest} is not among the derived objects`);
  return new TextDecoder().decode(o.bytes);
};
const json = (c: DerivedCatalogue, digest: string | null | undefined) => JSON.parse(text(c, digest));

async function openTree(root: string) {
  const trees = new TreeManager({
    source: { kind: "path", path: root },
    workDir: join(dir, "work"),
    log: silentLogger,
  });
  return trees.open();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-catalogue-"));
  derived = await deriveCatalogue(await openTree(DEMO_TREE), {
    log: silentLogger,
    lastUpdated: "2026-12-02 19:00:00 UTC",
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the demo tree's catalogue", () => {
  test("lists every keyboard folder, a DEFAULT_FOLDER parent as its default, and fits the schema", async () => {
    const m = catalogueManifest.parse(derived.manifest);
    expect(Object.keys(m.keyboards)).toEqual(await demoKeyboards());
    expect(Object.keys(m.keyboards)).toEqual([
      "handwired/edge_duo/rev1",
      "handwired/edge_pad",
      "handwired/edge_sixty",
      "handwired/edge_split",
    ]);
    expect(m.firmware_version).toBe((await readFile(join(DEMO_TREE, "VERSION"), "utf8")).trim());
    expect(m.last_updated).toBe("2026-12-02 19:00:00 UTC");
  });

  test("every object is stored under the sha256 of its bytes, and every digest the manifest names exists", () => {
    for (const [digest, o] of derived.objects)
      expect(createHash("sha256").update(o.bytes).digest("hex")).toBe(digest);
    const named = [
      derived.manifest.keycodes,
      ...Object.values(derived.manifest.keyboards).flatMap((e) => [e.info, e.readme, e.default_keymap]),
    ].filter((d): d is string => d !== null);
    for (const digest of named) expect(derived.objects.has(digest), digest).toBe(true);
    expect(derived.objects.get(derived.manifest.keycodes)!.contentType).toBe("application/json");
  });

  test("a revision's info is its keyboard.json merged under its parent's info.json", () => {
    const entry = derived.manifest.keyboards["handwired/edge_duo/rev1"]!;
    const info = keyboardInfo.parse(json(derived, entry.info));
    expect(info).toMatchObject({
      keyboard_name: "edge_duo rev1", // rev1/keyboard.json
      manufacturer: "qmk-edge", // the parent's info.json
      processor: "atmega32u4",
      bootloader: "caterina",
      usb: { vid: "0xFEED", pid: "0xE004", device_version: "1.0.0" },
      keyboard_folder: "handwired/edge_duo/rev1",
      layout_aliases: { LAYOUT: "LAYOUT_ortho_2x3" },
      matrix_size: { rows: 2, cols: 3 },
      features: { extrakey: true },
    });
    expect(Object.keys(info.layouts)).toEqual(["LAYOUT_ortho_2x3"]);
    expect(info.layouts.LAYOUT_ortho_2x3!.layout).toHaveLength(6);
    // As QMK's info_json: the keys of the LAYOUT macro in edge_duo.h (x = position, w 1, label = the
    // macro's argument, matrix from its braces), each updated by the key keyboard.json gives.
    expect(info.layouts.LAYOUT_ortho_2x3!.layout[4]).toEqual({
      x: 1,
      y: 1,
      w: 1,
      label: "k11",
      matrix: [1, 1],
    });
  });

  test("layouts keep x, y, w, h and matrix of every key; a split board has both halves' rows", () => {
    const pad = json(derived, derived.manifest.keyboards["handwired/edge_pad"]!.info);
    const numpad = pad.layouts.LAYOUT_numpad_4x4.layout;
    expect(numpad).toHaveLength(14);
    expect(numpad[7]).toEqual({ x: 3, y: 1, w: 1, label: "k13", matrix: [1, 3], h: 2 });
    expect(numpad[11]).toEqual({ x: 0, y: 3, w: 2, label: "k30", matrix: [3, 0] });
    expect(pad.layout_aliases).toEqual({});
    const split = json(derived, derived.manifest.keyboards["handwired/edge_split"]!.info);
    expect(split.matrix_size).toEqual({ rows: 8, cols: 5 }); // MATRIX_ROWS 8 in its config.h
    expect(split.processor).toBe("STM32F072");
  });

  test("readme: the nearest readme.md up the keyboard's path, as text/markdown", async () => {
    const rev1 = derived.manifest.keyboards["handwired/edge_duo/rev1"]!;
    expect(derived.objects.get(rev1.readme!)!.contentType).toBe("text/markdown");
    expect(text(derived, rev1.readme)).toBe(
      await readFile(join(DEMO_TREE, "keyboards/handwired/edge_duo/readme.md"), "utf8"),
    );
    expect(text(derived, derived.manifest.keyboards["handwired/edge_pad"]!.readme)).toMatch(
      /^# handwired\/edge_pad/,
    );
  });

  test("default keymap: keymaps/default/keymap.json at the shallowest level, named for the keyboard", () => {
    const km = json(derived, derived.manifest.keyboards["handwired/edge_duo/rev1"]!.default_keymap);
    expect(km).toMatchObject({
      version: 1,
      keyboard: "handwired/edge_duo/rev1",
      keymap: "default",
      layout: "LAYOUT_ortho_2x3",
    });
    expect(km.layers[0]).toEqual(["KC_MPRV", "KC_MPLY", "KC_MNXT", "LT(1,KC_MUTE)", "KC_VOLD", "KC_VOLU"]);
    const pad = json(derived, derived.manifest.keyboards["handwired/edge_pad"]!.default_keymap);
    expect(pad.keyboard).toBe("handwired/edge_pad");
  });

  test("aliases: keyboard_aliases.hjson chains and DEFAULT_FOLDER parents, resolved to catalogue keyboards", () => {
    expect(derived.manifest.aliases).toEqual({
      edge_duo: "handwired/edge_duo/rev1",
      edge_pad_v0: "handwired/edge_pad",
      edgepad: "handwired/edge_pad",
      "handwired/edge_duo": "handwired/edge_duo/rev1",
    });
  });

  test("keycodes: sorted names the tree defines (KC_A, LT, MO ...) and renames whose target it defines", () => {
    const k = catalogueKeycodes.parse(json(derived, derived.manifest.keycodes));
    expect(k.names).toEqual([...k.names].sort());
    expect(new Set(k.names).size).toBe(k.names.length);
    for (const name of ["KC_A", "KC_TRNS", "LT", "MO", "LSFT_T", "QK_BOOT", "UG_TOGG", "RGB_TOG", "OS_LSFT"])
      expect(k.names).toContain(name);
    expect(k.names).not.toContain("RESET");
    expect(k.renames.RESET).toBe("QK_BOOT");
    expect(k.renames.KC_LCTRL).toBe("KC_LCTL");
    expect(k.renames.RGB_TOG).toBeUndefined(); // the demo tree still defines it
    for (const to of Object.values(k.renames)) expect(k.names).toContain(to);
    expect(k.firmware_version).toBe(derived.manifest.firmware_version);
  });

  test("the same tree gives the same manifest and objects again", async () => {
    const again = await deriveCatalogue(await openTree(DEMO_TREE), {
      log: silentLogger,
      lastUpdated: "2026-12-02 19:00:00 UTC",
    });
    expect(again.manifest).toEqual(derived.manifest);
    expect([...again.objects.keys()].sort()).toEqual([...derived.objects.keys()].sort());
  });
});

// Which folders are keyboards, and keyboards described in part: catalogue-rules.test.ts.
describe("a keyboard's own names", () => {
  test("travel in its info, as QMK's info_json names a keyboard that names itself nothing", async () => {
    const root = join(dir, "own-names-tree");
    await cp(DEMO_TREE, root, { recursive: true, filter: (p) => !/\/\.build$/.test(p) });
    const kb = (p: string) => join(root, "keyboards", p);
    await mkdir(kb("org/old_style"), { recursive: true });
    await writeFile(
      kb("org/old_style/keyboard.json"),
      JSON.stringify({ processor: "atmega32u4", layouts: {} }),
    );
    // A keycode only this keyboard defines, in its own header (QMK's pre-data-driven way).
    await writeFile(kb("org/old_style/old_style.h"), "enum old_style_keycodes { OLD_HELLO = QK_KB_0 };\n");
    const odd = await deriveCatalogue(await openTree(root), { log: silentLogger, lastUpdated: "x" });
    expect(json(odd, odd.manifest.keyboards["org/old_style"]!.info)).toMatchObject({
      keyboard_name: "org/old_style",
      maintainer: "qmk",
    });
    expect(json(odd, odd.manifest.keyboards["handwired/edge_pad"]!.info).maintainer).toBe("qmk-edge");
    // The API checks compiles against the catalogue alone: the keyboard's own names travel in its info.
    expect(json(odd, odd.manifest.keyboards["org/old_style"]!.info).keyboard_keycodes).toEqual(["OLD_HELLO"]);
    // Over-approximated as the agent's own check is (every #define of its headers), minus LAYOUT macros.
    const pad: string[] = json(odd, odd.manifest.keyboards["handwired/edge_pad"]!.info).keyboard_keycodes;
    expect(pad).toContain("MATRIX_ROWS");
    expect(pad.filter((n) => n.startsWith("LAYOUT"))).toEqual([]);
  });
});

// 4,000 generated keyboards (12,000 files) derived in a child process whose open-file limit is 64.
test("a tree of 4,000 keyboards is derived under `ulimit -n 64`", async () => {
  const root = join(dir, "wide-tree");
  await cp(DEMO_TREE, root, { recursive: true, filter: (p) => !/\/\.build$/.test(p) });
  for (let v = 0; v < 40; v++) {
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const d = join(root, "keyboards", `vendor${v}`, `board${i}`);
        await mkdir(join(d, "keymaps", "default"), { recursive: true });
        const layout = [
          { matrix: [0, 0], x: 0, y: 0 },
          { matrix: [0, 1], x: 1, y: 0, w: 1.5 },
        ];
        await writeFile(
          join(d, "keyboard.json"),
          JSON.stringify({
            keyboard_name: `b${v}-${i}`,
            processor: "atmega32u4",
            layouts: { LAYOUT: { layout } },
          }),
        );
        await writeFile(join(d, "readme.md"), `# vendor${v}/board${i}\n`);
        await writeFile(
          join(d, "keymaps", "default", "keymap.json"),
          JSON.stringify({ layout: "LAYOUT", layers: [["KC_A", "KC_B"]] }),
        );
      }),
    );
  }
  const script = join(dir, "derive-wide.ts");
  await writeFile(
    script,
    [
      `import { deriveCatalogue } from ${JSON.stringify(join(import.meta.dirname, "../src/catalogue/derive.ts"))};`,
      `import { silentLogger } from ${JSON.stringify(join(import.meta.dirname, "../src/log.ts"))};`,
      `const c = await deriveCatalogue({ root: ${JSON.stringify(root)}, version: "wide-1", origin: { kind: "path", path: ${JSON.stringify(root)} } }, { log: silentLogger, lastUpdated: "x", concurrency: 8 });`,
      `console.log(JSON.stringify({ keyboards: Object.keys(c.manifest.keyboards).length, objects: c.objects.size, skipped: c.skipped.length }));`,
    ].join("\n"),
  );
  const res = await execa("sh", ["-c", `ulimit -n 64 && exec "${process.execPath}" "${script}"`], {
    reject: false,
  });
  expect(res.stderr).not.toMatch(/EMFILE/);
  expect(res.exitCode, res.stderr).toBe(0);
  // 4,004 keyboards, each with its own info, readme and default keymap, and one keycodes object.
  expect(JSON.parse(res.stdout)).toEqual({ keyboards: 4004, objects: 4004 * 3 + 1, skipped: 0 });
});
