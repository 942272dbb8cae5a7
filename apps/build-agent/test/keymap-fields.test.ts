import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CompileRequest } from "@qmk-edge/schema";
import { readSymbol, uint16s } from "@qmk-edge/test/support/firmware/elf.ts";
import { firmwareImage } from "@qmk-edge/test/support/firmware/fidelity.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BuildContext } from "../src/job/context.ts";
import { type JobOutcome, runJob } from "../src/job/run-job.ts";
import { buildContext, keptElf, makeJob } from "../test-support/build-context.ts";

// keymap.json's other fields built end to end on the demo tree (AVR, handwired/edge_pad, which has one
// encoder): macros, encoders, custom keycodes and config, each read back from the firmware; config
// changing and going between jobs of one build slot; fields the agent refuses.

type Done = Extract<JobOutcome, { kind: "done" }>;

let dir: string;
let ctx: BuildContext;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-fields-"));
  ctx = await buildContext({ workDir: join(dir, "work"), ccache: "off", keepElf: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = (fields: Record<string, unknown> = {}): CompileRequest =>
  ({
    keyboard: "handwired/edge_pad",
    keymap: "fields",
    layout: "LAYOUT_ortho_4x4",
    layers: [
      [
        "KC_A",
        "KC_B",
        "KC_C",
        "KC_D",
        "KC_E",
        "KC_F",
        "KC_G",
        "KC_H",
        "KC_I",
        "KC_J",
        "KC_K",
        "KC_L",
        "KC_M",
        "KC_N",
        "KC_O",
        "MO(1)",
      ],
      Array(16).fill("KC_TRNS"),
    ],
    ...fields,
  }) as CompileRequest;

async function build(request: CompileRequest, c: BuildContext = ctx): Promise<Done> {
  const out = await runJob(makeJob(request, c.trees.current.version), c);
  if (out.kind !== "done") throw new Error(out.kind);
  expect(out.result.status, out.log).toBe("finished");
  return out;
}

const words = async (out: Done, symbol: string) =>
  uint16s((await readSymbol(keptElf(out), "avr", symbol)).bytes);
const hasSymbol = (out: Done, symbol: string) =>
  readSymbol(keptElf(out), "avr", symbol).then(
    () => true,
    () => false,
  );
const keymapDirFiles = async (out: Done) => (await readdir(join(dirname(out.buildDir!), "keymap"))).sort();
const firmware = (out: Done) => readFile(out.artifacts.find((a) => a.kind === "firmware")!.path);

describe("keymap.json fields on the demo tree", () => {
  test("a keymap with macros builds, and the firmware types them", async () => {
    const out = await build(
      base({
        layers: [["QK_MACRO_0", ...base().layers[0]!.slice(1)], base().layers[1]],
        macros: [
          ["hello, world", { action: "tap", keycodes: ["LCTL", "A"] }, { action: "delay", duration: 50 }],
        ],
      }),
    );
    expect(await hasSymbol(out, "process_record_user")).toBe(true);
    const image = await firmwareImage(out.artifacts.find((a) => a.kind === "firmware")!.path);
    // SEND_STRING's text, with SS_TAP(X_LCTL)... as QMK encodes it: "\1\2\xe0" "\1\1\x04" "\1\3\xe0".
    const at = image.indexOf(Buffer.from("hello, world"));
    expect(at).toBeGreaterThan(0);
    expect([...image.subarray(at + 12, at + 24)]).toEqual([1, 2, 0xe0, 1, 1, 4, 1, 3, 0xe0, 1, 4, 0x35]);
    expect((await words(out, "keymaps"))[0]).toBe(0x7700); // QK_MACRO_0
  });

  test("encoders build QMK's encoder map when config turns the feature on, and none without", async () => {
    const encoders = [[{ ccw: "KC_VOLD", cw: "KC_VOLU" }], [{ ccw: "KC_TRNS", cw: "KC_MUTE" }]];
    const on = await build(base({ encoders, config: { features: { encoder_map: true } } }));
    // [layer][encoder][cw, ccw], as ENCODER_CCW_CW lays them out: KC_VOLU 0xA9, KC_VOLD 0xAA, KC_MUTE 0xA8.
    expect(await words(on, "encoder_map")).toEqual([0xa9, 0xaa, 0xa8, 0x01]);
    expect(await keymapDirFiles(on)).toEqual(["config.h", "keymap.c", "rules.mk"]);
    const off = await build(base({ encoders }));
    expect(await hasSymbol(off, "encoder_map")).toBe(false);
    expect(await keymapDirFiles(off)).toEqual(["keymap.c"]);
  });

  test("custom keycodes are numbered from QK_USER_0, aliases included", async () => {
    const out = await build(
      base({
        layers: [["MY_ONE", "M2", ...base().layers[0]!.slice(2)], base().layers[1]],
        keycodes: [{ key: "MY_ONE" }, { key: "MY_TWO", aliases: ["M2"] }],
      }),
    );
    expect((await words(out, "keymaps")).slice(0, 2)).toEqual([0x7e40, 0x7e41]);
    expect(await keymapDirFiles(out)).toEqual(["keymap.c", "keymap.h"]);
  });

  test("config reaches the build; changed, it rebuilds; gone, it leaves nothing behind", async () => {
    const term = async (out: Done) => (await words(out, "g_tapping_term"))[0];
    const with123 = await build(base({ config: { tapping: { term: 123 } } }));
    expect(await term(with123)).toBe(123);
    const with150 = await build(base({ config: { tapping: { term: 150 } } }));
    expect(await term(with150)).toBe(150);
    const without = await build(base());
    expect(await term(without)).toBe(200); // the demo tree's default, as QMK's
    expect(await keymapDirFiles(without)).toEqual(["keymap.c"]);

    // The slot's builds give the bytes a build from nothing gives.
    const fresh = await buildContext({ workDir: join(dir, "fresh"), ccache: "off", keepElf: true });
    expect(await firmware(await build(base(), fresh))).toEqual(await firmware(without));
    expect(await firmware(await build(base({ config: { tapping: { term: 150 } } }), fresh))).toEqual(
      await firmware(with150),
    );
  });

  test("the same config again compiles nothing but the link inputs it must", async () => {
    const request = base({ config: { tapping: { term: 170 }, features: { tri_layer: true } } });
    await build(request);
    const again = await build(request);
    expect(again.log.split("\n").filter((l) => l.startsWith("Compiling: "))).toEqual([]);
  });
});

describe("keymap.json fields the agent refuses", () => {
  test.each([
    ["host_language", { host_language: "german" }],
    ["modules", { modules: ["qmk/hello_world"] }],
    ["coonfig", { coonfig: { features: { via: true } } }],
    ["config.processor", { config: { processor: "atmega32u2" } }],
  ])("%s fails the job before anything is written, naming the field", async (path, fields) => {
    const out = await runJob(makeJob(base(fields), ctx.trees.current.version), ctx);
    if (out.kind !== "done") throw new Error(out.kind);
    expect(out.result.status).toBe("failed");
    expect(out.result.output).toContain(`${path}: `);
    expect(out.buildDir).toBeNull();
  });
});
