// One build-health build: a catalogue keyboard's default keymap, built as a user job of that keyboard is
// (same build slot, keymap name qmk_edge, make variables), so the slot is warm for the keyboard's first
// user. The keymap dir gets the tree's keymaps/default files (keymap.c or keymap.json, and its rules.mk and
// config.h); a user job clears that dir before writing its own keymap.c (steps/generate.ts).
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { BUILD_HEALTH_MESSAGE_CHARS } from "@qmk-edge/schema";
import type { BuildContext } from "../job/context.ts";
import { JobFailure } from "../job-failure.ts";
import { BUILD_KEYMAP, buildSlotDirs, buildSlotName, jobDirs } from "../job-names.ts";
import { formatDuration } from "../log.ts";
import { pathExists } from "../path-exists.ts";
import { compile } from "../steps/compile.ts";
import type { PreparedJob } from "../steps/prepare.ts";
import { resolveKeyboardFolder } from "../tree/keyboard-folder.ts";
import { readKeyboard } from "../tree/keyboard-info.ts";

export type HealthOutcome =
  | { kind: "built"; works: boolean; message: string; warmSlot: boolean }
  // This agent cannot judge the keyboard (no toolchain for it): another agent will.
  | { kind: "skipped"; reason: string };

// QMK looks for keymaps/<km> at every level of the keyboard's path; the deepest one wins.
async function defaultKeymapDir(treeRoot: string, folder: string): Promise<string | null> {
  const parts = folder.split("/");
  for (let n = parts.length; n > 0; n--) {
    const dir = join(treeRoot, "keyboards", ...parts.slice(0, n), "keymaps", "default");
    if (await pathExists(dir)) return dir;
  }
  return null;
}

export async function buildDefaultKeymap(
  keyboard: string,
  ctx: BuildContext,
  signal: AbortSignal,
): Promise<HealthOutcome> {
  const tree = ctx.trees.current;
  const id = `health-${randomBytes(8).toString("hex")}`;
  const dirs = jobDirs(ctx.workDir, id);
  try {
    const folder = await resolveKeyboardFolder(tree.root, keyboard);
    const info = await readKeyboard(tree.root, folder.folder);
    if (ctx.toolchains && !ctx.toolchains.includes(info.toolchain))
      return { kind: "skipped", reason: `this agent has no ${info.toolchain} toolchain` };
    const source = await defaultKeymapDir(tree.root, folder.folder);
    if (!source) throw new JobFailure(`${keyboard} has no keymaps/default in firmware ${tree.version}`);
    const slot = buildSlotDirs(ctx.workDir, tree, buildSlotName(folder.folder, undefined));
    // What compile() reads of a prepared job; the rest of PreparedJob belongs to user jobs.
    const p = {
      ...slot,
      ...dirs,
      tree,
      folder,
      buildKeymap: BUILD_KEYMAP,
      vars: {},
      job: { id },
      request: { keymap: "default" },
    } as unknown as PreparedJob;
    const built = await ctx.slots.withSlot(slot.slotDir, async () => {
      const warm = await pathExists(slot.buildDir);
      await rm(slot.keymapDir, { recursive: true, force: true });
      await mkdir(slot.keymapDir, { recursive: true });
      for (const entry of await readdir(source, { withFileTypes: true })) {
        if (entry.isFile()) await copyFile(join(source, entry.name), join(slot.keymapDir, entry.name));
      }
      signal.throwIfAborted();
      return { warm, firmware: await compile(p, ctx.compile, signal) };
    });
    const took = formatDuration(built.firmware.make.durationMs);
    return {
      kind: "built",
      works: true,
      message: `make exited with 0 after ${took}: ${built.firmware.filename}, ${built.firmware.size} bytes`,
      warmSlot: built.warm && !built.firmware.resetSlot,
    };
  } catch (err) {
    if (signal.aborted) throw err;
    if (!(err instanceof JobFailure)) throw err;
    const text = `${err.output.trimEnd()}\n${err.message}`.trim();
    return { kind: "built", works: false, message: tailOf(text), warmSlot: false };
  } finally {
    await rm(dirs.jobDir, { recursive: true, force: true });
  }
}

const tailOf = (text: string) =>
  text.length <= BUILD_HEALTH_MESSAGE_CHARS ? text : text.slice(text.length - BUILD_HEALTH_MESSAGE_CHARS);
