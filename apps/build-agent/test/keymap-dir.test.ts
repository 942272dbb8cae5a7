import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeymapC, generateKeymapJson, parseCompileRequest } from "@qmk-edge/keymap";
import { defaultKeymap, userKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { readSymbol } from "@qmk-edge/test/support/firmware/elf.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runJob } from "../src/job/run-job.ts";
import { buildContext, makeJob } from "../test-support/build-context.ts";
import { FIXTURE_KEYBOARD, fixtureRequest, makeFixtureTree } from "../test-support/fixture-tree.ts";

// The keymap dir contract, as real QMK has it and the demo tree mirrors it: a keymap dir holds ONE source
// of the keymap. keymap.json alone builds (the tree generates keymap.c into the build dir), keymap.c
// alone builds, both at once fail (QMK merges the keymap.c into the one it generates: keymaps[] twice).
// The agent writes keymap.c only.

let dir: string;
let tree: string; // a copy of the demo tree: these tests write keymap dirs into it
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-keymap-dir-"));
  tree = join(dir, "tree");
  await cp(DEMO_TREE, tree, { recursive: true, filter: (p) => !/\/\.build$/.test(p) });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEYBOARD = "handwired/edge_pad";
const parsedRequest = parseCompileRequest(userKeymap(KEYBOARD, "LAYOUT_ortho_4x4", 16, 3, "contract"));
if (!parsedRequest.ok) throw new Error(JSON.stringify(parsedRequest.errors));
const request = parsedRequest.value;

async function keymapDir(name: string, files: Record<string, string>): Promise<void> {
  const path = join(tree, "keyboards", KEYBOARD, "keymaps", name);
  await mkdir(path, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(path, file), text);
}

async function make(keymap: string) {
  const buildDir = join(dir, `build-${keymap}`);
  const res = await execa("make", [`${KEYBOARD}:${keymap}`, `BUILD_DIR=${buildDir}`], {
    cwd: tree,
    reject: false,
    all: true,
    env: { LC_ALL: "C" },
  });
  return { ...res, elf: join(buildDir, `${KEYBOARD.replaceAll("/", "_")}_${keymap}.elf`) };
}

describe("the demo tree's make, like QMK's", () => {
  test("builds a keymap dir holding keymap.json only, from the json, to the same keymaps[] as the agent's keymap.c", async () => {
    await keymapDir("only_json", { "keymap.json": generateKeymapJson(request) });
    await keymapDir("only_c", { "keymap.c": generateKeymapC(request) });
    const fromJson = await make("only_json");
    expect(fromJson.exitCode, fromJson.all).toBe(0);
    expect(fromJson.all).toMatch(/Generating: .*obj_handwired_edge_pad_only_json\/src\/keymap\.c +\[OK\]/);
    const fromC = await make("only_c");
    expect(fromC.exitCode, fromC.all).toBe(0);
    const a = await readSymbol(fromJson.elf, "avr", "keymaps");
    const b = await readSymbol(fromC.elf, "avr", "keymaps");
    expect(a.bytes.length).toBe(3 * 4 * 4 * 2);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    // Generated into the build dir: the keymap dir is left as it was.
    expect(await readdir(join(tree, "keyboards", KEYBOARD, "keymaps", "only_json"))).toEqual(["keymap.json"]);
  });

  test("fails a keymap dir holding both keymap.c and keymap.json, as QMK does (keymaps[] defined twice)", async () => {
    await keymapDir("both", {
      "keymap.json": generateKeymapJson(request),
      "keymap.c": generateKeymapC(request),
    });
    const res = await make("both");
    expect(res.exitCode).not.toBe(0);
    expect(res.all).toMatch(/redefinition of 'keymaps'/);
  });

  test("fails clearly on a keymap.json it cannot turn into C", async () => {
    await keymapDir("bad_json", {
      "keymap.json": JSON.stringify({ ...request, layers: [["KC_A; evil()"]] }),
    });
    const res = await make("bad_json");
    expect(res.exitCode).not.toBe(0);
    expect(res.all).toMatch(/json2c: .*keycode "KC_A; evil\(\)" is not one this tree can build/);
  });

  test("finds a keymap at a parent folder of the keyboard (keyboards/<kb>/keymaps/ serves every revision)", async () => {
    const res = await execa("make", ["handwired/edge_duo/rev1:default", `BUILD_DIR=${join(dir, "duo")}`], {
      cwd: tree,
      reject: false,
      all: true,
    });
    expect(res.exitCode, res.all).toBe(0);
    expect(await readdir(tree)).toContain("handwired_edge_duo_rev1_default.hex");
  });
});

describe("the agent", () => {
  test("writes only keymap.c into the job's keymap dir, and the build succeeds from it", async () => {
    const fixture = await makeFixtureTree(
      join(dir, "fixture"),
      "@km=$(KEYMAP); ls $(MAIN_KEYMAP_PATH_1); printf ':00000001FF\\n' > $(BUILD_DIR)/fixture_board_$$km.hex",
    );
    const ctx = await buildContext({
      workDir: join(dir, "fixture-work"),
      source: { kind: "path", path: fixture },
    });
    const out = await runJob(makeJob(fixtureRequest, ctx.trees.current.version), ctx);
    if (out.kind !== "done") throw new Error(out.kind);
    expect(out.result.status, out.log).toBe("finished");
    // The `ls` of the keymap dir, in the build log: one file.
    const listing = out.log.split("\n").filter((l) => /^keymap\.(c|json)$/.test(l));
    expect(listing).toEqual(["keymap.c"]);
    // The keymap dir is the job's build slot in the work dir: the tree itself gets none.
    expect(await readdir(join(fixture, "keyboards", FIXTURE_KEYBOARD))).toEqual(["keyboard.json"]);
  });

  test("builds the demo tree's default keymaps (keymap.json only) and its keymap.c keymap through make", async () => {
    const ctx = await buildContext({ workDir: join(dir, "demo-work"), source: { kind: "path", path: tree } });
    for (const keymap of ["default", "numpad"]) {
      const res = await execa("make", [`${KEYBOARD}:${keymap}`, `BUILD_DIR=${join(dir, `km-${keymap}`)}`], {
        cwd: ctx.trees.current.root,
        reject: false,
        all: true,
      });
      expect(res.exitCode, res.all).toBe(0);
    }
    // And the agent, given the default keymap as a request, builds it through its own keymap.c.
    const out = await runJob(makeJob(await defaultKeymap(KEYBOARD, tree), ctx.trees.current.version), ctx);
    if (out.kind !== "done") throw new Error(out.kind);
    expect(out.result.status, out.log).toBe("finished");
    expect(
      await readFile(join(tree, "keyboards", KEYBOARD, "keymaps", "default", "keymap.json"), "utf8"),
    ).toContain('"layout": "LAYOUT_ortho_4x4"');
  });
});
