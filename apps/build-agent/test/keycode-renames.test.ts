import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileRequest } from "@qmk-edge/schema";
import { keyboardInfo } from "@qmk-edge/schema";
import { defaultKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { elfKeymapWords, expectedKeymapWords } from "@qmk-edge/test/support/firmware/fidelity.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deriveCatalogue } from "../src/catalogue/derive.ts";
import type { BuildContext } from "../src/job/context.ts";
import { renamedOutput } from "../src/job/renamed-output.ts";
import { type JobOutcome, runJob } from "../src/job/run-job.ts";
import { silentLogger } from "../src/log.ts";
import { readTreeKeycodes } from "../src/tree/keycode-names.ts";
import { buildContext, keptElf, makeJob } from "../test-support/build-context.ts";
import { makeRenamedKeycodesTree } from "../test-support/catalogue-trees.ts";

// QMK's renames taken from the tree's own keycode records, and right for the keyboard: on a tree where
// RGB_* and MU_MOD are gone (the demo tree made like one of late 2024 and after), an RGB Matrix board gets
// RM_*, an rgblight board UG_*, every board MU_NEXT; the firmware holds the renamed keys and the log says
// so first. Real builds by the real job runner.

let workDir: string;
let root: string;
let ctx: BuildContext;
let pad: CompileRequest; // handwired/edge_pad's default keymap: LAYOUT_ortho_4x4, 16 keys

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "qe-agent-renames-"));
  root = await makeRenamedKeycodesTree(join(workDir, "tree"));
  ctx = await buildContext({
    workDir: join(workDir, "work"),
    source: { kind: "path", path: root },
    keepElf: true,
  });
  pad = await defaultKeymap("handwired/edge_pad");
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

type Done = Extract<JobOutcome, { kind: "done" }>;
async function build(request: CompileRequest): Promise<Done> {
  const out = await runJob(makeJob(request, ctx.trees.current.version), ctx);
  if (out.kind !== "done") throw new Error(`expected a result, got ${out.kind}`);
  return out;
}
const legacyOn = (keyboard: string, keymap: string): CompileRequest => {
  const layers = pad.layers.map((l) => [...l]);
  layers[0]![0] = "RGB_TOG";
  layers[0]![1] = "RGB_MOD";
  layers[1]![2] = "MU_MOD";
  return { ...pad, keyboard, keymap, layers };
};

describe("renames from the tree's keycode records", () => {
  test("MU_MOD -> MU_NEXT and RGB_TOG -> UG_TOGG for the tree; RGB_TOG -> RM_TOGG for RGB Matrix boards", async () => {
    const known = await readTreeKeycodes(root);
    expect(known!.names.has("RGB_TOG")).toBe(false);
    expect(known!.renames.get("MU_MOD")).toBe("MU_NEXT");
    expect(known!.renames.get("RGB_TOG")).toBe("UG_TOGG");
    expect(known!.renames.get("RGB_MOD")).toBe("UG_NEXT");
    expect(known!.renames.get("RESET")).toBe("QK_BOOT"); // the legacy table, older than the records
    expect(Object.fromEntries(known!.rgbMatrixRenames)).toMatchObject({
      RGB_TOG: "RM_TOGG",
      RGB_MOD: "RM_NEXT",
    });
  });

  test("the catalogue carries an RGB Matrix board's own renames in its info, and no other board's", async () => {
    const c = await deriveCatalogue(
      { root, version: "renamed-1", origin: { kind: "path", path: root } },
      { log: silentLogger, lastUpdated: "x" },
    );
    const info = (kb: string) =>
      keyboardInfo.parse(
        JSON.parse(new TextDecoder().decode(c.objects.get(c.manifest.keyboards[kb]!.info)!.bytes)),
      );
    expect(info("handwired/edge_glow").keycode_renames).toMatchObject({
      RGB_TOG: "RM_TOGG",
      RGB_MOD: "RM_NEXT",
    });
    expect(info("handwired/edge_under").keycode_renames).toBeUndefined();
    expect(info("handwired/edge_pad").keycode_renames).toBeUndefined();
  });
});

describe("a job on each kind of board", () => {
  test("RGB Matrix board: RGB_* build as RM_*, MU_MOD as MU_NEXT, said in the first lines of the output", async () => {
    const request = legacyOn("handwired/edge_glow", "glow");
    const out = await build(request);
    expect(out.result.status, out.log).toBe("finished");
    // The edge_pad keymap's own RGB_TOG and RGB_MOD of layer 1 too, each at its key, before make's output.
    const head = out.result.output.split("\n").slice(0, 10).join("\n");
    for (const line of [
      "keycode layers.0.0: RGB_TOG is RM_TOGG in this firmware (renamed)",
      "keycode layers.0.1: RGB_MOD is RM_NEXT in this firmware (renamed)",
      "keycode layers.1.2: MU_MOD is MU_NEXT in this firmware (renamed)",
      "keycode layers.1.8: RGB_TOG is RM_TOGG in this firmware (renamed)",
      "keycode layers.1.9: RGB_MOD is RM_NEXT in this firmware (renamed)",
    ])
      expect(head).toContain(line);
    expect(head).not.toContain("$ make");
    // The firmware holds RM_TOGG's and RM_NEXT's values (not UG_*'s), computed from the tree's headers.
    const to = (names: Record<string, string>) => ({
      ...request,
      layers: request.layers.map((l) => l.map((k) => names[k] ?? k)),
    });
    const { words } = await elfKeymapWords(keptElf(out), "avr");
    expect(words).toEqual(
      await expectedKeymapWords(root, to({ RGB_TOG: "RM_TOGG", RGB_MOD: "RM_NEXT", MU_MOD: "MU_NEXT" })),
    );
    expect(words).not.toEqual(
      await expectedKeymapWords(root, to({ RGB_TOG: "UG_TOGG", RGB_MOD: "UG_NEXT", MU_MOD: "MU_NEXT" })),
    );
  });

  test("rgblight board: RGB_* build as UG_*", async () => {
    const out = await build(legacyOn("handwired/edge_under", "under"));
    expect(out.result.status, out.log).toBe("finished");
    expect(out.result.output).toContain("keycode layers.0.0: RGB_TOG is UG_TOGG in this firmware (renamed)");
  });

  test("an unknown name close to a known one fails before make with a hint", async () => {
    const layers = pad.layers.map((l) => [...l]);
    layers[0]![3] = "MU_MODE";
    layers[1]![0] = "KC_ENTR";
    const out = await build({ ...pad, keymap: "typo", layers });
    expect(out.result.status).toBe("failed");
    expect(out.result.output).toContain("layers.0.3: unknown keycode MU_MODE for firmware ");
    expect(out.result.output).toMatch(
      /layers\.0\.3: unknown keycode MU_MODE for firmware \S+; did you mean MU_NEXT\?/,
    );
    expect(out.result.output).toMatch(
      /layers\.1\.0: unknown keycode KC_ENTR for firmware \S+; did you mean KC_ENT(ER)?\?/,
    );
  });

  test("when the log's tail cuts its head off, the renames still come first", () => {
    const translations = [{ path: "layers.0.0", from: "RGB_TOG", to: "RM_TOGG" }];
    const long = `header\n${"make output line\n".repeat(10_000)}the end\n`;
    const output = renamedOutput(long, translations);
    expect(output.startsWith("keycode layers.0.0: RGB_TOG is RM_TOGG in this firmware (renamed)\n")).toBe(
      true,
    );
    expect(output.endsWith("the end\n")).toBe(true);
    expect(renamedOutput("short log\n", translations)).toBe("short log\n");
  });
});
