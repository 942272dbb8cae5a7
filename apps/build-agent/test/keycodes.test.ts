import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileRequest } from "@qmk-edge/schema";
import { defaultKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { elfKeymapWords, expectedKeymapWords } from "@qmk-edge/test/support/firmware/fidelity.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BuildContext } from "../src/job/context.ts";
import { type JobOutcome, runJob } from "../src/job/run-job.ts";
import { RETURNCODE_NOT_BUILT } from "../src/job-failure.ts";
import { keycodeHjsonOrder, readTreeKeycodes } from "../src/tree/keycode-names.ts";
import { buildContext, keptElf, makeJob } from "../test-support/build-context.ts";
import { FIXTURE_KEYBOARD, fixtureRequest, makeFixtureTree } from "../test-support/fixture-tree.ts";

// The keycode names a tree defines, checked before make: renamed legacy names build as QMK renamed them,
// unknown ones fail with their key's path. On the real demo tree, built by the real job runner.

let workDir: string;
let ctx: BuildContext;
let pad: CompileRequest; // handwired/edge_pad default: LAYOUT_ortho_4x4, 16 keys

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "qe-agent-keycodes-"));
  ctx = await buildContext({ workDir, keepElf: true });
  pad = await defaultKeymap("handwired/edge_pad");
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

type Done = Extract<JobOutcome, { kind: "done" }>;
async function build(request: CompileRequest, c: BuildContext = ctx): Promise<Done & { jobId: string }> {
  const job = makeJob(request, c.trees.current.version);
  const out = await runJob(job, c);
  if (out.kind !== "done") throw new Error(`expected a result, got ${out.kind}`);
  return { ...out, jobId: job.id };
}

describe("the names the demo tree defines", () => {
  test("keycodes, keycode functions and X_ names; legacy names it lacks map to their new names", async () => {
    const known = await readTreeKeycodes(DEMO_TREE);
    expect(known).not.toBeNull();
    for (const name of ["KC_A", "KC_TRNS", "_______", "LT", "MO", "LSFT_T", "UG_TOGG", "QK_BOOT", "KC_LCTL"])
      expect(known!.names, name).toContain(name);
    // Names the demo tree no longer defines, as QMK since 2023, are recorded as renamed.
    expect(known!.names).not.toContain("RESET");
    expect(known!.renames.get("RESET")).toBe("QK_BOOT");
    expect(known!.renames.get("KC_LCTRL")).toBe("KC_LCTL");
    // A rename is only recorded where the old name is gone: the demo tree still defines RGB_TOG, as
    // QMK did until 2025 (a 2026 tree does not, and gets RGB_TOG -> UG_TOGG).
    expect(known!.names).toContain("RGB_TOG");
    expect(known!.renames.has("RGB_TOG")).toBe(false);
    for (const [from, to] of known!.renames) expect(known!.names, `${from} -> ${to}`).toContain(to);
  });

  test("of keymap_extras, what quantum's headers include (keymap_us.h) counts; language headers do not", async () => {
    // A real 2026 tree keeps KC_AMPR, KC_TILD, ... in keymap_extras/keymap_us.h, which quantum_keycodes.h
    // includes; skipping the whole dir refused every keymap with a shifted symbol.
    const known = await readTreeKeycodes(DEMO_TREE);
    for (const name of ["KC_AMPR", "KC_TILD", "KC_PIPE", "KC_QUESTION"])
      expect(known!.names, name).toContain(name);
    expect(known!.names).not.toContain("UK_PND");
    const out = await build({
      ...pad,
      keymap: "shifted",
      layers: pad.layers.map((l, li) =>
        li > 0 ? l : ["KC_AMPR", "KC_TILD", "KC_PIPE", "KC_QUES", ...l.slice(4)],
      ),
    });
    expect(out.result.status, out.log).toBe("finished");
  });

  test("a tree without quantum/keycodes.h says nothing (null): the compiler stays the only judge", async () => {
    const root = await makeFixtureTree(join(workDir, "no-keycodes"), "@echo fixture");
    expect(await readTreeKeycodes(root)).toBeNull();
  });

  test("QMK's keycode hjson files are merged per fragment, oldest version first", () => {
    expect(
      keycodeHjsonOrder([
        "keycodes_0.0.2_basic.hjson",
        "keycodes_0.0.1.hjson",
        "keycodes_0.0.10_basic.hjson",
        "keycodes_0.0.1_basic.hjson",
        "keycodes_0.0.2.hjson",
        "README.md",
      ]),
    ).toEqual([
      "keycodes_0.0.1.hjson",
      "keycodes_0.0.2.hjson",
      "keycodes_0.0.1_basic.hjson",
      "keycodes_0.0.2_basic.hjson",
      "keycodes_0.0.10_basic.hjson",
    ]);
  });
});

describe("a job's keycodes are checked before make", () => {
  test("renamed legacy names build as the names QMK gave them, and the log says so", async () => {
    const layers = pad.layers.map((l) => [...l]);
    layers[0]![0] = "RESET";
    layers[1]![2] = "LT(1, KC_LCTRL)";
    const request = { ...pad, keymap: "legacy", layers };
    const out = await build(request);
    expect(out.result.status, out.log).toBe("finished");
    expect(out.log).toContain("keycode layers.0.0: RESET is QK_BOOT in this firmware (renamed)");
    expect(out.log).toContain("keycode layers.1.2: KC_LCTRL is KC_LCTL in this firmware (renamed)");
    const keymapJson = out.artifacts.find((a) => a.kind === "keymap")!;
    const shipped = JSON.parse(await readFile(keymapJson.path, "utf8")) as CompileRequest;
    expect(shipped.layers[0]![0]).toBe("QK_BOOT");
    expect(shipped.layers[1]![2]).toBe("LT(1, KC_LCTL)");
    // The firmware holds what QMK's names mean, computed independently from the tree's headers.
    const renamed = { ...request, layers: request.layers.map((l) => [...l]) };
    renamed.layers[0]![0] = "QK_BOOT";
    renamed.layers[1]![2] = "LT(1, KC_LCTL)";
    const { words } = await elfKeymapWords(keptElf(out), "avr");
    expect(words).toEqual(await expectedKeymapWords(DEMO_TREE, renamed));
  });

  test("a name the keyboard's own header defines passes the check and builds", async () => {
    const tree = join(workDir, "own-keycodes");
    await cp(DEMO_TREE, tree, { recursive: true, filter: (p) => !/\/\.build$/.test(p) });
    const header = join(tree, "keyboards/handwired/edge_pad/edge_pad.h");
    await writeFile(
      header,
      `${await readFile(header, "utf8")}\nenum edge_pad_keycodes { PAD_HELLO = SAFE_RANGE };\n`,
    );
    const own = await buildContext({
      workDir: join(workDir, "own-work"),
      source: { kind: "path", path: tree },
    });
    const layers = pad.layers.map((l) => [...l]);
    layers[0]![1] = "PAD_HELLO";
    const out = await build({ ...pad, keymap: "own", layers }, own);
    expect(out.result.status, out.log).toBe("finished");
    // Another keyboard of the same tree does not define it.
    const sixty = await defaultKeymap("handwired/edge_sixty");
    const other = await build(
      { ...sixty, layers: [sixty.layers[0]!.map((k, i) => (i === 0 ? "PAD_HELLO" : k))] },
      own,
    );
    expect(other.result.status).toBe("failed");
    expect(other.result.output).toContain("layers.0.0: unknown keycode PAD_HELLO for firmware ");
  });

  test("a keycode that is neither defined nor renamed fails before make with its path", async () => {
    const layers = pad.layers.map((l) => [...l]);
    layers[1]![3] = "RGB_TOGGLE_EVERYTHING";
    const out = await build({ ...pad, keymap: "unknown", layers });
    expect(out.result.status).toBe("failed");
    expect(out.result.returncode).toBe(RETURNCODE_NOT_BUILT);
    expect(out.result.output).toContain("layers.1.3: unknown keycode RGB_TOGGLE_EVERYTHING for firmware ");
    expect(out.result.output).not.toContain("$ make");
  });

  test("a tree that does not say which names it defines builds as before (fixture tree, no headers)", async () => {
    const root = await makeFixtureTree(
      join(workDir, "fixture"),
      "@km=$(KEYMAP); printf ':00000001FF\\n' > $(BUILD_DIR)/fixture_board_$$km.hex",
    );
    await mkdir(join(workDir, "fixture-work"), { recursive: true });
    const fixture = await buildContext({
      workDir: join(workDir, "fixture-work"),
      source: { kind: "path", path: root },
    });
    const out = await build(
      { ...fixtureRequest, keyboard: FIXTURE_KEYBOARD, layers: [["KC_A", "KC_WHATEVER"]] },
      fixture,
    );
    expect(out.result.status, out.log).toBe("finished");
  });
});
