import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ARTIFACT_MAX_BYTES,
  type ArtifactKind,
  SOURCE_MANIFEST_FORMAT,
  type SourceManifest,
} from "@qmk-edge/schema";
import { sha256File, type TreeArchives, writeSourceZip } from "../packaging.ts";
import type { CompiledFirmware } from "./compile.ts";
import type { GeneratedKeymap } from "./generate.ts";
import type { PreparedJob } from "./prepare.ts";

// Stage "packaging": the source zip (keymap, keyboard folder, manifest) and the keymap JSON, as files in
// the job's output dir ready for upload.

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
): Promise<{ source: LocalArtifact; manifest: SourceManifest }> {
  const archive = await archives.get(p.tree);
  const origin = p.tree.origin;
  const where =
    origin.kind === "git"
      ? `git clone ${origin.url} qmk_firmware && git -C qmk_firmware checkout ${origin.commit}`
      : `${archive.path} on the build agent (not uploaded); the same files as the tree at ${origin.path}`;
  const manifest: SourceManifest = {
    format: SOURCE_MANIFEST_FORMAT,
    job_id: p.job.id,
    keyboard: p.request.keyboard,
    keymap: p.request.keymap,
    layout: p.request.layout,
    firmware_version: p.tree.version,
    toolchain: p.toolchain,
    command: p.command,
    firmware: { filename: firmware.filename, sha256: firmware.sha256, size: firmware.size },
    tree: {
      origin,
      archive: { filename: archive.filename, sha256: archive.sha256, size: archive.size, where },
    },
    reproduce: [
      `get firmware tree ${p.tree.version}: ${where}`,
      "unzip this archive over the root of that tree",
      `run \`${p.command}\` there; ${firmware.filename} at the tree root should have sha256 ${firmware.sha256}`,
    ],
  };
  await mkdir(p.outDir, { recursive: true });
  const path = join(p.outDir, p.names.source);
  const { sha256, size } = await writeSourceZip({
    dest: path,
    treeRoot: p.tree.root,
    keyboard: p.request.keyboard,
    keymap: p.request.keymap,
    keymapC: generated.keymapC,
    keymapJson: generated.keymapJson,
    manifest,
  });
  return { source: { kind: "source", path, filename: p.names.source, sha256, size }, manifest };
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
