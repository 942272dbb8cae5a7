import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  type CompileRequest,
  SOURCE_MANIFEST_NAME,
  type SourceManifest,
  sourceManifest,
} from "@qmk-edge/schema";
import { userKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BuildContext } from "../src/job/context.ts";
import { type JobOutcome, runJob } from "../src/job/run-job.ts";
import { buildContext, makeJob } from "../test-support/build-context.ts";

// The source zip is enough to rebuild the firmware: unzip it over the tree it names, run the manifest's
// command, get the same bytes.

let dir: string;
let ctx: BuildContext;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-source-"));
  ctx = await buildContext({ workDir: join(dir, "work") });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const zipEntries = async (zip: string) => (await execa("unzip", ["-Z1", zip])).stdout.trim().split("\n");

async function build(req: CompileRequest): Promise<Extract<JobOutcome, { kind: "done" }>> {
  const out = await runJob(makeJob(req, ctx.trees.current.version), ctx);
  if (out.kind !== "done" || out.result.status !== "finished")
    throw new Error(`build failed: ${JSON.stringify(out)}`);
  return out;
}

// A copy of the tree without build outputs, as a user would have it.
async function copyTree(from: string, to: string): Promise<void> {
  await cp(from, to, {
    recursive: true,
    filter: (src) => !/\/\.build$|\.(hex|bin|elf)$/.test(src),
  });
}

describe.each([
  ["handwired/edge_pad", "LAYOUT_numpad_4x4", 14],
  ["handwired/edge_split", "LAYOUT_split_3x5_3", 36],
])("the source zip of %s", (keyboard, layout, keys) => {
  const req = userKeymap(keyboard, layout, keys, 2, "from_zip");
  let out: Extract<JobOutcome, { kind: "done" }>;
  let zip: string;
  let manifest: SourceManifest;
  beforeAll(async () => {
    out = await build(req);
    zip = out.artifacts.find((a) => a.kind === "source")!.path;
    manifest = sourceManifest.parse(
      JSON.parse((await execa("unzip", ["-p", zip, SOURCE_MANIFEST_NAME])).stdout),
    );
  });

  test("has clean relative entries: the keymap, the keyboard folder without other keymaps, the manifest", async () => {
    const entries = await zipEntries(zip);
    for (const e of entries) {
      expect(e.startsWith("/")).toBe(false);
      expect(e.split("/")).not.toContain("..");
      expect(
        [SOURCE_MANIFEST_NAME, "keymap.json"].includes(e) || e.startsWith(`keyboards/${keyboard}/`),
      ).toBe(true);
    }
    // One source of the keymap in its dir: keymap.c. The request's keymap.json sits at the root,
    // where QMK's make never looks for a keymap.
    expect(entries.filter((e) => e.startsWith(`keyboards/${keyboard}/keymaps/`))).toEqual([
      `keyboards/${keyboard}/keymaps/from_zip/keymap.c`,
    ]);
    expect(entries).toContain("keymap.json");
    expect(entries).toContain(`keyboards/${keyboard}/keyboard.json`);
    expect(entries).toContain(SOURCE_MANIFEST_NAME);
    expect(entries.filter((e) => e.includes("/keymaps/") && !e.includes("/keymaps/from_zip/"))).toEqual([]);
    expect(basename(zip)).toBe(`qmk_firmware-${keyboard.replaceAll("/", "-")}-from_zip.zip`);
  });

  test("names the firmware version, the command and the firmware it made", async () => {
    const firmware = out.artifacts.find((a) => a.kind === "firmware")!;
    expect(manifest.firmware_version).toBe("demo-1");
    expect(manifest.command).toBe(`make ${keyboard}:from_zip`);
    expect(manifest.command).toBe(out.result.command);
    expect(manifest.firmware).toEqual({
      filename: firmware.filename,
      sha256: firmware.sha256,
      size: firmware.size,
    });
    expect(manifest.tree.origin).toEqual({ kind: "path", path: DEMO_TREE });
    expect(manifest.tree.archive?.filename).toBe("tree-demo-1.zip");
    expect(manifest.keyboard_folder).toBe(keyboard);
    expect(manifest.keymap_json).toBe("keymap.json");
    const keymapJson = await readFile(out.artifacts.find((a) => a.kind === "keymap")!.path, "utf8");
    expect((await execa("unzip", ["-p", zip, "keymap.json"])).stdout).toBe(keymapJson.trimEnd());
  });

  test("unzipped over a copy of the tree, the manifest's command rebuilds the same firmware bytes", async () => {
    const tree = join(dir, `copy-${keyboard.replaceAll("/", "_")}`);
    await copyTree(DEMO_TREE, tree);
    await execa("unzip", ["-o", "-q", zip, "-d", tree]);
    const [cmd, ...args] = manifest.command.split(" ");
    await execa(cmd!, args, { cwd: tree });
    const rebuilt = await readFile(join(tree, manifest.firmware.filename));
    const shipped = await readFile(out.artifacts.find((a) => a.kind === "firmware")!.path);
    expect(rebuilt.equals(shipped)).toBe(true);
  });

  test("the per-version tree archive plus the source zip rebuild it too", async () => {
    const archive = join(ctx.workDir, "tree-archives", manifest.tree.archive!.filename);
    const tree = join(dir, `from-archive-${keyboard.replaceAll("/", "_")}`);
    await mkdir(tree);
    await execa("unzip", ["-q", archive, "-d", tree]);
    const treeEntries = await zipEntries(archive);
    expect(
      treeEntries.some(
        (e) =>
          e.includes("/keymaps/qmk_edge") ||
          e.includes("_qmk_edge.") ||
          /\.(hex|bin)$/.test(e) ||
          e.startsWith(".build/"),
      ),
    ).toBe(false);
    await execa("unzip", ["-o", "-q", zip, "-d", tree]);
    const [cmd, ...args] = manifest.command.split(" ");
    await execa(cmd!, args, { cwd: tree });
    const rebuilt = await readFile(join(tree, manifest.firmware.filename));
    expect(rebuilt.equals(await readFile(out.artifacts.find((a) => a.kind === "firmware")!.path))).toBe(true);
  });
});

test("the tree archive is made once per version and reused", async () => {
  const first = await ctx.archives.get(ctx.trees.current);
  const again = await ctx.archives.get(ctx.trees.current);
  expect(again).toBe(first);
  const out = await build(userKeymap("handwired/edge_pad", "LAYOUT_ortho_4x4", 16, 1, "again"));
  const zip = out.artifacts.find((a) => a.kind === "source")!.path;
  const manifest: SourceManifest = sourceManifest.parse(
    JSON.parse((await execa("unzip", ["-p", zip, SOURCE_MANIFEST_NAME])).stdout),
  );
  expect(manifest.tree.archive?.sha256).toBe(first.sha256);
  // The job carries the same file as its `tree` artifact, to be uploaded once and shared.
  expect(out.artifacts.find((a) => a.kind === "tree")).toMatchObject({
    path: first.path,
    sha256: first.sha256,
    filename: "tree-demo-1.zip",
  });
});
