import {
  type KeycodeTranslation,
  type ParsedCompileRequest,
  parseCompileRequest,
  translateKeycodes,
} from "@qmk-edge/keymap";
import type { AgentJob, Toolchain } from "@qmk-edge/schema";
import { JobFailure } from "../job-failure.ts";
import { artifactNames, BUILD_KEYMAP, buildSlotDirs, buildSlotName, jobDirs } from "../job-names.ts";
import type { FirmwareTree } from "../tree/firmware-tree.ts";
import { type KeyboardFolder, resolveKeyboardFolder } from "../tree/keyboard-folder.ts";
import { checkLayout, type KeyboardInfo, readKeyboard } from "../tree/keyboard-info.ts";
import { readKeyboardKeycodes, treeKeycodes } from "../tree/keycode-names.ts";
import { keyboardRenames } from "../tree/lighting-renames.ts";

// Stage "preparing", part 1: re-validate the request against the tree on disk before anything is
// written, and lay out where this job's files go.

export interface PreparedJob {
  job: AgentJob;
  request: ParsedCompileRequest; // with renamed legacy keycodes translated
  translations: KeycodeTranslation[];
  tree: FirmwareTree;
  folder: KeyboardFolder; // the request's keyboard after aliases and DEFAULT_FOLDER
  keyboard: KeyboardInfo;
  toolchain: Toolchain;
  keyCount: number;
  buildKeymap: string; // qmk_edge: the keymap name make sees, the same for every job
  slotDir: string; // <work>/builds/<tree key>/<slot>: where this keyboard is built, job after job
  keymapDir: string; // <slot>/keymap: make's MAIN_KEYMAP_PATH_*, outside the tree
  buildDir: string; // <slot>/build: make's BUILD_DIR
  vars: Record<string, string>; // make variables of the user's request (CONVERT_TO for a converter)
  command: string; // what a user runs to reproduce: make <folder>:<km> [CONVERT_TO=...]
  jobDir: string;
  outDir: string;
  homeDir: string;
  elfDir: string;
  names: { source: string; keymap: string; log: string };
}

export async function prepare(job: AgentJob, tree: FirmwareTree, workDir: string): Promise<PreparedJob> {
  // The API validated the request already; the agent checks again because it is about to write it to disk.
  const parsed = parseCompileRequest(job.request);
  if (!parsed.ok) {
    const lines = parsed.errors.map((e) => `  ${e.path || "request"}: ${e.message}`);
    throw new JobFailure(`the compile request is invalid:\n${lines.join("\n")}`);
  }
  const folder = await resolveKeyboardFolder(tree.root, parsed.value.keyboard);
  const keyboard = await readKeyboard(tree.root, folder.folder);
  const keyCount = checkLayout(keyboard, parsed.value);
  const { request, translations } = await checkKeycodes(parsed.value, tree, keyboard);

  // The keymap.c the agent writes carries the keymap but not keymap.json's other fields; a converter
  // reaches QMK as the make variable `qmk compile` would set from keymap.json.
  const vars: Record<string, string> = request.converter ? { CONVERT_TO: request.converter } : {};
  const varArgs = Object.entries(vars).map(([k, v]) => ` ${k}=${v}`);
  return {
    job,
    request,
    translations,
    tree,
    folder,
    keyboard,
    toolchain: keyboard.toolchain,
    keyCount,
    buildKeymap: BUILD_KEYMAP,
    ...buildSlotDirs(workDir, tree, buildSlotName(folder.folder, request.converter)),
    vars,
    command: `make ${folder.folder}:${request.keymap}${varArgs.join("")}`,
    ...jobDirs(workDir, job.id),
    names: artifactNames(request),
  };
}

// Every keycode name must be one the tree (or the keyboard itself) defines, so an unknown one fails here
// with its key's path rather than as a gcc error after a build; renamed legacy names are translated. A
// tree that does not say which names it defines (no quantum/keycodes.h) is left to the compiler.
async function checkKeycodes(
  parsed: ParsedCompileRequest,
  tree: FirmwareTree,
  keyboard: KeyboardInfo,
): Promise<{ request: ParsedCompileRequest; translations: KeycodeTranslation[] }> {
  const known = await treeKeycodes(tree);
  if (!known) return { request: parsed, translations: [] };
  const own = await readKeyboardKeycodes(tree.root, keyboard.name, keyboard.info);
  const defined = own.size === 0 ? known.names : new Set([...known.names, ...own]);
  // This keyboard's renames (RGB_* -> RM_* on an RGB Matrix board) before the tree's.
  const mine = await keyboardRenames(tree.root, keyboard.name, keyboard.info, known);
  const { request, translations, errors } = translateKeycodes(parsed, defined, {
    renames: mine.size > 0 ? new Map([...known.renames, ...mine]) : known.renames,
    firmwareVersion: tree.version,
  });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.path}: ${e.message}`);
    throw new JobFailure(
      `the keymap uses keycodes firmware ${tree.version} does not define:\n${lines.join("\n")}`,
    );
  }
  return { request, translations };
}
