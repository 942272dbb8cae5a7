import { access, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firmwareFileName, type Toolchain } from "@qmk-edge/schema";
import {
  defaultKeymap,
  demoKeyboards,
  readKeyboardJson,
  userKeymap,
} from "@qmk-edge/test/support/firmware/demo-tree.ts";
import {
  elfKeymapWords,
  expectedKeymapWords,
  firmwareImage,
} from "@qmk-edge/test/support/firmware/fidelity.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BuildContext } from "../src/job/context.ts";
import { runJob } from "../src/job/run-job.ts";
import { buildContext, keptElf, makeJob } from "../test-support/build-context.ts";

// Real builds of every demo keyboard, default keymap and a user keymap per layout, on the real toolchains;
// each firmware's keymaps[] is read back from the ELF and checked against what the request's keycodes mean.

const keyboards = await demoKeyboards();
const cases: Array<{
  keyboard: string;
  kind: string;
  request: () => Promise<import("@qmk-edge/schema").CompileRequest>;
}> = [];
for (const keyboard of keyboards) {
  const kb = await readKeyboardJson(keyboard);
  cases.push({ keyboard, kind: "default keymap", request: () => defaultKeymap(keyboard) });
  for (const [layout, spec] of Object.entries(kb.layouts)) {
    cases.push({
      keyboard,
      kind: `user keymap on ${layout}`,
      request: async () => userKeymap(keyboard, layout, spec.layout.length),
    });
  }
}

let workDir: string;
let ctx: BuildContext;
const toolchainsBuilt = new Set<Toolchain>();

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "qe-agent-build-"));
  ctx = await buildContext({ workDir, keepElf: true });
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("real builds of the demo keyboards", () => {
  test("the demo tree has AVR and ARM keyboards to build", async () => {
    const processors = await Promise.all(keyboards.map(async (k) => (await readKeyboardJson(k)).processor));
    expect(processors.some((p) => p.startsWith("atmega"))).toBe(true);
    expect(processors.some((p) => p.startsWith("STM32"))).toBe(true);
  });

  test.each(cases)(
    "$keyboard, $kind: finishes, and the ELF holds the request's keycodes",
    async ({ request }) => {
      const req = await request();
      const job = makeJob(req, ctx.trees.current.version);
      const out = await runJob(job, ctx);
      if (out.kind !== "done") throw new Error(`expected a build, got ${out.kind}`);
      expect(out.result.output).not.toContain("error:");
      // The log users see names no path of the agent's machine (they may name a home directory).
      expect(out.log).not.toContain(workDir);
      expect(out.log).not.toContain(DEMO_TREE);
      expect(out.log).toContain("BUILD_DIR=<work-dir>/builds/");
      expect(out.result.status, out.log).toBe("finished");
      expect(out.result.returncode).toBe(0);
      expect(out.result.command).toBe(`make ${req.keyboard}:${req.keymap}`);
      const toolchain = out.result.toolchain!;
      toolchainsBuilt.add(toolchain);
      expect(out.result.firmware_filename).toBe(firmwareFileName(req, toolchain));
      expect(Object.keys(out.result.timings).sort()).toEqual(["compile_ms", "package_ms", "prepare_ms"]);

      const expected = await expectedKeymapWords(DEMO_TREE, req);
      const elf = await elfKeymapWords(keptElf(out), toolchain);
      expect(elf.words).toEqual(expected);

      // The uploaded firmware file carries the same keymap bytes as the ELF.
      const firmware = out.artifacts.find((a) => a.kind === "firmware")!;
      expect(firmware.filename.endsWith(toolchain === "avr" ? ".hex" : ".bin")).toBe(true);
      expect((await firmwareImage(firmware.path)).indexOf(elf.bytes)).toBeGreaterThanOrEqual(0);
      expect(out.artifacts.map((a) => a.kind).sort()).toEqual([
        "firmware",
        "keymap",
        "log",
        "source",
        "tree",
      ]);

      // The shared tree is as it was: the keymap was built from the work dir, make's firmware copy at
      // the root is gone.
      const keymaps = await readdir(join(DEMO_TREE, "keyboards", req.keyboard, "keymaps")).catch(() => []);
      expect(keymaps).not.toContain("qmk_edge");
      expect((await readdir(DEMO_TREE)).filter((f) => f.includes("qmk_edge"))).toEqual([]);
    },
  );

  test("both toolchains were exercised", () => {
    expect([...toolchainsBuilt].sort()).toEqual(["arm", "avr"]);
  });

  test("without keepElf no ELF copy is kept; the keyboard's build slot stays for its next job", async () => {
    const req = await defaultKeymap(keyboards[0]!);
    const job = makeJob(req, ctx.trees.current.version);
    const out = await runJob(job, { ...ctx, keepElf: false });
    if (out.kind !== "done") throw new Error(out.kind);
    expect(out.result.status).toBe("finished");
    expect(out.elf).toBeNull();
    await expect(access(join(out.jobDir, "elf"))).rejects.toThrow();
    await expect(access(out.buildDir!)).resolves.toBeUndefined();
    await expect(access(out.artifacts[0]!.path)).resolves.toBeUndefined();
  });
});
