import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ARTIFACT_MAX_BYTES,
  type ArtifactKind,
  SOURCE_MANIFEST_FORMAT,
  type SourceManifest,
} from "@qmk-edge/schema";
import type { Logger } from "../log.ts";
import { SOURCE_KEYMAP_JSON, sha256File, writeSourceZip } from "../zip/packaging.ts";
import type { TreeArchive, TreeArchives } from "../zip/tree-archives.ts";
import type { CompiledFirmware } from "./compile.ts";
import type { GeneratedKeymap } from "./generate.ts";
import type { PreparedJob } from "./prepare.ts";

// Stage "packaging": the source zip (keymap, keyboard folder, manifest) and the keymap JSON, as files in
// the job's output dir ready for upload, and the version's tree archive the zip goes over. The archive
// is a courtesy: if it cannot be made the job still finishes, and its manifest says there is none.

export interface LocalArtifact {
  kind: ArtifactKind;
  path: string;
  filename: string;
  sha256: string;
  size: number;
}

export async function packageSources(
  p: PreparedJob,
  generated: GeneratedKeymap,
  firmware: CompiledFirmware,
  archives: TreeArchives,
  log: Logger,
): Promise<{ source: LocalArtifact; tree: LocalArtifact | null; manifest: SourceManifest }> {
  const archive = await archives.get(p.tree).catch((err: unknown): TreeArchive | null => {
    log.warn("could not archive the firmware tree; the job goes without it", { problem: String(err) });
    return null;
  });
  const origin = p.tree.origin;
  const elsewhere =
    origin.kind === "git"
      ? `git clone ${origin.url} qmk_firmware && git -C qmk_firmware checkout ${origin.commit}`
      : `the tree at ${origin.path} on the build agent`;
  const download = `GET /v1/compile/${p.job.id}/tree (result.source_tree_url of the job)`;
  const where = `${download}; or ${elsewhere}`;
  const get = archive ? `unzip ${archive.filename} (${download})` : elsewhere;
  const manifest: SourceManifest = {
    format: SOURCE_MANIFEST_FORMAT,
    job_id: p.job.id,
    keyboard: p.request.keyboard,
    keyboard_folder: p.folder.folder,
    keymap: p.request.keymap,
    layout: p.request.layout,
    firmware_version: p.tree.version,
    toolchain: p.toolchain,
    command: p.command,
    keymap_json: SOURCE_KEYMAP_JSON,
    firmware: { filename: firmware.filename, sha256: firmware.sha256, size: firmware.size },
    tree: {
      origin,
      archive: archive
        ? { filename: archive.filename, sha256: archive.sha256, size: archive.size, where }
        : null,
    },
    reproduce: [
      `get firmware tree ${p.tree.version}: ${get}`,
      "unzip this archive over the root of that tree",
      `run \`${p.command}\` there (QMK's make needs the \`qmk\` CLI on PATH); ${firmware.filename} at the tree root should have sha256 ${firmware.sha256}`,
      `${SOURCE_KEYMAP_JSON} is the same keymap as submitted; \`qmk compile ${SOURCE_KEYMAP_JSON}\` builds it too`,
    ],
  };
  await mkdir(p.outDir, { recursive: true });
  const path = join(p.outDir, p.names.source);
  const { sha256, size } = await writeSourceZip({
    dest: path,
    treeRoot: p.tree.root,
    keyboard: p.folder.folder,
    keymap: p.request.keymap,
    keymapC: generated.keymapC,
    keymapFiles: generated.files,
    keymapJson: generated.keymapJson,
    manifest,
  });
  const tree: LocalArtifact | null = archive
    ? {
        kind: "tree",
        path: archive.path,
        filename: archive.filename,
        sha256: archive.sha256,
        size: archive.size,
      }
    : null;
  return { source: { kind: "source", path, filename: p.names.source, sha256, size }, tree, manifest };
}

export async function writeArtifact(
  dir: string,
  kind: ArtifactKind,
  filename: string,
  content: string,
): Promise<LocalArtifact> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, filename);
  let bytes = Buffer.from(content, "utf8");
  // Only the log can grow past its limit (header + capped make output); keep its end, where errors are.
  if (bytes.length > ARTIFACT_MAX_BYTES[kind])
    bytes = bytes.subarray(bytes.length - ARTIFACT_MAX_BYTES[kind]);
  await writeFile(path, bytes);
  return { kind, path, filename, sha256: await sha256File(path), size: (await stat(path)).size };
}
