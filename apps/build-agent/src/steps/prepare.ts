import { join } from "node:path";
import { type ParsedCompileRequest, parseCompileRequest } from "@qmk-edge/keymap";
import {
  type AgentJob,
  firmwareFileName,
  keymapArchiveName,
  sourceArchiveName,
  type Toolchain,
} from "@qmk-edge/schema";
import { JobFailure } from "../job-failure.ts";
import { type FirmwareTree, jobKeymapName } from "../tree/firmware-tree.ts";
import { checkLayout, type KeyboardInfo, readKeyboard } from "../tree/keyboard-info.ts";

// Stage "preparing", part 1: re-validate the request against the tree on disk before anything is
// written, and lay out where this job's files go.

export interface PreparedJob {
  job: AgentJob;
  request: ParsedCompileRequest;
  tree: FirmwareTree;
  keyboard: KeyboardInfo;
  toolchain: Toolchain;
  keyCount: number;
  buildKeymap: string; // qe_<jobid>: the keymap name make sees
  keymapDir: string; // <tree>/keyboards/<kb>/keymaps/qe_<jobid>
  target: string; // <kb>:qe_<jobid>
  command: string; // what a user runs to reproduce: make <kb>:<km>
  jobDir: string;
  buildDir: string;
  outDir: string;
  homeDir: string;
  names: { firmware: string; source: string; keymap: string; log: string };
}

export async function prepare(job: AgentJob, tree: FirmwareTree, workDir: string): Promise<PreparedJob> {
  // The API validated the request already; the agent checks again because it is about to write it to disk.
  const parsed = parseCompileRequest(job.request);
  if (!parsed.ok) {
    const lines = parsed.errors.map((e) => `  ${e.path || "request"}: ${e.message}`);
    throw new JobFailure(`the compile request is invalid:\n${lines.join("\n")}`);
  }
  const request = parsed.value;
  const keyboard = await readKeyboard(tree.root, request.keyboard);
  const keyCount = checkLayout(keyboard, request);

  const buildKeymap = jobKeymapName(job.id);
  const jobDir = join(workDir, "jobs", job.id);
  const base = `${request.keyboard.replaceAll("/", "_")}_${request.keymap}`;
  return {
    job,
    request,
    tree,
    keyboard,
    toolchain: keyboard.toolchain,
    keyCount,
    buildKeymap,
    keymapDir: join(keyboard.dir, "keymaps", buildKeymap),
    target: `${request.keyboard}:${buildKeymap}`,
    command: `make ${request.keyboard}:${request.keymap}`,
    jobDir,
    buildDir: join(jobDir, "build"),
    outDir: join(jobDir, "out"),
    homeDir: join(jobDir, "home"),
    names: {
      firmware: firmwareFileName(request, keyboard.toolchain),
      source: sourceArchiveName(request),
      keymap: keymapArchiveName(request),
      log: `${base}.log`,
    },
  };
}
