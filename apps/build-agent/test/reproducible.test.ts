import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileRequest } from "@qmk-edge/schema";
import {
  defaultKeymap,
  demoKeyboards,
  readKeyboardJson,
  userKeymap,
} from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BuildContext } from "../src/job/context.ts";
import { runJob } from "../src/job/run-job.ts";
import { buildContext, makeJob } from "../test-support/build-context.ts";
import { fixtureRequest, makeFixtureTree } from "../test-support/fixture-tree.ts";

// The build cache takes a community agent's firmware only when a second agent (another token, another
// machine) built byte-identical firmware for the same request (edge-api jobs/build-cache.ts). That needs
// reproducible builds: the same request on the same firmware version gives the same bytes on two machines.
// Two agents here differ in everything a machine may: work dir, tree location, job id, ccache on or off.

const keyboards = await demoKeyboards();
const cases: Array<{ name: string; request: () => Promise<CompileRequest> }> = [];
for (const keyboard of keyboards) {
  cases.push({ name: `${keyboard} default keymap`, request: () => defaultKeymap(keyboard) });
  const [layout, spec] = Object.entries((await readKeyboardJson(keyboard)).layouts)[0]!;
  cases.push({
    name: `${keyboard} user keymap on ${layout}`,
    request: async () => userKeymap(keyboard, layout, spec.layout.length),
  });
}

let scratch: string;
let first: BuildContext;
let second: BuildContext;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "qe-agent-repro-"));
  // The second machine has its own checkout of the same tree, somewhere else, and builds without ccache.
  const otherTree = join(scratch, "elsewhere", "qmk_firmware");
  await cp(DEMO_TREE, otherTree, { recursive: true });
  first = await buildContext({ workDir: join(scratch, "agent-one") });
  second = await buildContext({
    workDir: join(scratch, "second", "agent-two-work"),
    source: { kind: "path", path: otherTree },
    ccache: "off",
  });
  expect(second.trees.current.version).toBe(first.trees.current.version);
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function firmwareOf(ctx: BuildContext, request: CompileRequest) {
  const out = await runJob(makeJob(request, ctx.trees.current.version), ctx);
  if (out.kind !== "done") throw new Error(`expected a build, got ${out.kind}`);
  expect(out.result.status, out.log).toBe("finished");
  const firmware = out.artifacts.find((a) => a.kind === "firmware")!;
  return { sha256: firmware.sha256, bytes: await readFile(firmware.path), log: out.log };
}

describe("two agents on different machines", () => {
  test("cover every demo keyboard", () => {
    expect(keyboards.length).toBeGreaterThanOrEqual(3);
    expect(cases).toHaveLength(keyboards.length * 2);
  });

  test.each(cases)("build byte-identical firmware: $name", async ({ request }) => {
    const req = await request();
    const [a, b] = [await firmwareOf(first, req), await firmwareOf(second, req)];
    expect(b.sha256).toBe(a.sha256);
    expect(b.bytes.equals(a.bytes)).toBe(true);
  });

  test("pin the build date a real QMK tree would embed: make gets SKIP_VERSION=yes", async () => {
    // A real tree writes the build time into version.h (QMK_BUILDDATE) unless SKIP_VERSION is set; this
    // fixture tree shows what make was given, as real QMK's Makefile would read it.
    const tree = await makeFixtureTree(
      join(scratch, "fixture-tree"),
      '@km=$(KEYMAP); echo "make sees SKIP_VERSION=$(SKIP_VERSION)"; ' +
        "printf ':00000001FF\\n' > $(BUILD_DIR)/fixture_board_$$km.hex",
    );
    const ctx = await buildContext({
      workDir: join(scratch, "fixture-work"),
      source: { kind: "path", path: tree },
    });
    const out = await runJob(makeJob(fixtureRequest, ctx.trees.current.version), ctx);
    if (out.kind !== "done") throw new Error(`expected a build, got ${out.kind}`);
    expect(out.result.status, out.log).toBe("finished");
    expect(out.log).toContain("make sees SKIP_VERSION=yes");
  });
});
