import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runJob } from "../src/job/run-job.ts";
import { userFirmwareName } from "../src/job-names.ts";
import { buildContext, makeJob } from "../test-support/build-context.ts";
import { fixtureRequest, makeFixtureTree } from "../test-support/fixture-tree.ts";

// The firmware is the file make produced in the job's build dir, found by the agent's keymap name, not a
// name the agent predicts: QMK picks .hex (AVR), .bin (ARM) or .uf2 (RP2040, `bootloader: rp2040`,
// converters), adds a converter's name, names a keyboard by its resolved folder, and copies the file
// users flash to the tree root (a build dir can hold several formats).

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-firmware-file-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A tree whose make runs `recipe` ($$km is the keymap make was given, $(BUILD_DIR) its build dir).
async function build(name: string, recipe: string, request: Record<string, unknown> = {}) {
  const tree = await makeFixtureTree(join(dir, name), `@km=$(KEYMAP); ${recipe}`);
  const ctx = await buildContext({
    workDir: join(dir, `${name}-work`),
    source: { kind: "path", path: tree },
  });
  const out = await runJob(makeJob({ ...fixtureRequest, ...request }, ctx.trees.current.version), ctx);
  if (out.kind !== "done") throw new Error(out.kind);
  return { out, tree };
}

describe("the firmware file", () => {
  test("a .uf2 is found and named <folder>_<keymap>.uf2, and make's copy at the tree root goes", async () => {
    const { out, tree } = await build(
      "uf2",
      "printf UF2 > $(BUILD_DIR)/fixture_board_$$km.uf2; cp $(BUILD_DIR)/fixture_board_$$km.uf2 .",
    );
    expect(out.result.status, out.log).toBe("finished");
    expect(out.result.firmware_filename).toBe("fixture_board_mine.uf2");
    const firmware = out.artifacts.find((a) => a.kind === "firmware")!;
    expect(await readFile(firmware.path, "utf8")).toBe("UF2");
    expect((await readdir(tree)).filter((f) => f.includes("qmk_edge"))).toEqual([]);
  });

  test("of the formats in the build dir, the one make copied to the tree root is shipped", async () => {
    // An ARM build leaves .bin and .hex; QMK copies FIRMWARE_FORMAT (.bin) to the root.
    const { out } = await build(
      "arm",
      "printf HEX > $(BUILD_DIR)/fixture_board_$$km.hex; printf BIN > $(BUILD_DIR)/fixture_board_$$km.bin; " +
        "cp $(BUILD_DIR)/fixture_board_$$km.bin .",
    );
    expect(out.result.status, out.log).toBe("finished");
    expect(out.result.firmware_filename).toBe("fixture_board_mine.bin");
    expect(await readFile(out.artifacts.find((a) => a.kind === "firmware")!.path, "utf8")).toBe("BIN");
  });

  test("a converter goes to make as CONVERT_TO and its name stays in the file name", async () => {
    const { out } = await build(
      "converter",
      "printf '%s' '$(CONVERT_TO)' > $(BUILD_DIR)/fixture_board_$${km}_$(CONVERT_TO).uf2",
      { converter: "rp2040_ce" },
    );
    expect(out.result.status, out.log).toBe("finished");
    expect(out.result.firmware_filename).toBe("fixture_board_mine_rp2040_ce.uf2");
    expect(out.result.command).toBe("make fixture/board:mine CONVERT_TO=rp2040_ce");
    expect(await readFile(out.artifacts.find((a) => a.kind === "firmware")!.path, "utf8")).toBe("rp2040_ce");
  });

  test("a firmware left only in BUILD_DIR (no copy at the root) is found there", async () => {
    const { out } = await build("build-dir", "printf ':00000001FF\\n' > $(BUILD_DIR)/fixture_board_$$km.hex");
    expect(out.result.status, out.log).toBe("finished");
    expect(out.result.firmware_filename).toBe("fixture_board_mine.hex");
  });

  test("no firmware file at all fails the job, naming what was looked for", async () => {
    const { out } = await build("none", "printf 'nothing\\n' > $(BUILD_DIR)/fixture_board_$$km.elf");
    expect(out.result.status).toBe("failed");
    expect(out.result.output).toMatch(
      /left no firmware file \(\*_qmk_edge\*\.hex, \.bin or \.uf2\) in its build dir/,
    );
  });

  test("a firmware only at the tree root is never taken: another agent sharing the tree may have put it there", async () => {
    const { out } = await build("other-agent", "printf ':00000001FF\\n' > fixture_board_$$km.hex");
    expect(out.result.status).toBe("failed");
  });
});

test("user-facing names keep the keyboard folder and converter, with the user's keymap", () => {
  expect(userFirmwareName("lily58_rev1_qmk_edge.hex", "mine")).toBe("lily58_rev1_mine.hex");
  expect(userFirmwareName("planck_rev6_qmk_edge.bin", "x")).toBe("planck_rev6_x.bin");
  expect(userFirmwareName("crkbd_rev1_qmk_edge_rp2040_ce.uf2", "km")).toBe("crkbd_rev1_km_rp2040_ce.uf2");
});
