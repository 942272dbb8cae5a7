import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { lstat, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { SOURCE_MANIFEST_NAME, type SourceManifest } from "@qmk-edge/schema";
import { ZipArchive } from "archiver";
import type { FirmwareTree } from "./tree/firmware-tree.ts";

// Zips for reproducing a build: the per-job source zip (the generated keymap, the keyboard's folder and a
// manifest), and one archive of the whole tree per firmware version, made once and cached in the work dir
// (qmk_compiler re-clones and zips the whole tree for every single job instead).

export interface ZipEntry {
  name: string;
  path?: string; // a file on disk
  content?: string | Buffer;
  mode?: number;
}

// Fixed, so equal inputs give byte-equal zips (and equal sha256s).
const ENTRY_DATE = new Date("2000-01-01T00:00:00Z");

// Entry names are relative POSIX paths with no "." or ".." segments, so unzipping can never write
// outside the directory it is unzipped in.
export function assertCleanEntryName(name: string): void {
  const bad =
    name === "" ||
    name.includes("\\") ||
    name.includes("\0") ||
    posix.isAbsolute(name) ||
    /^[A-Za-z]:/.test(name) ||
    name.split("/").some((seg) => seg === "" || seg === "." || seg === "..");
  if (bad) throw new Error(`refusing zip entry name ${JSON.stringify(name)}`);
}

export async function writeZip(dest: string, entries: ZipEntry[]): Promise<{ sha256: string; size: number }> {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set<string>();
  for (const e of sorted) {
    assertCleanEntryName(e.name);
    if (names.has(e.name)) throw new Error(`duplicate zip entry ${e.name}`);
    names.add(e.name);
  }
  const tmp = `${dest}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const zip = new ZipArchive({ zlib: { level: 9 } });
  const out = createWriteStream(tmp);
  const done = pipeline(zip, out);
  for (const e of sorted) {
    const data = { name: e.name, date: ENTRY_DATE, mode: e.mode ?? 0o644 };
    if (e.path !== undefined) zip.append(createReadStream(e.path), data);
    else zip.append(e.content ?? "", data);
  }
  try {
    await zip.finalize();
    await done;
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { sha256: await sha256File(dest), size: (await stat(dest)).size };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

// Outputs a build may leave in a keyboard folder; never part of the source.
const BUILD_OUTPUT = /\.(hex|bin|elf|uf2|o|d|lst|map)$/i;
const SKIP_DIRS = new Set([".git", ".build", "node_modules"]);

interface Walked {
  name: string; // relative to the tree, POSIX
  path: string;
  mode: number;
}

// Regular files under dir (symlinks are skipped: they may point anywhere), relative names.
async function walkFiles(
  treeRoot: string,
  dir: string,
  skipDir: (rel: string, name: string) => boolean,
  skipFile: (rel: string, name: string) => boolean,
): Promise<Walked[]> {
  const out: Walked[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const path = join(dir, e.name);
    const rel = relative(treeRoot, path).split(sep).join("/");
    if (e.isDirectory()) {
      if (!skipDir(rel, e.name)) out.push(...(await walkFiles(treeRoot, path, skipDir, skipFile)));
    } else if (e.isFile() && !skipFile(rel, e.name)) {
      out.push({ name: rel, path, mode: (await lstat(path)).mode & 0o777 });
    }
  }
  return out;
}

// The keyboard's own folder without any keymaps, plus the plain files of each parent folder up to
// keyboards/ (their info.json, rules.mk and sources are part of the keyboard in QMK).
export async function keyboardFiles(treeRoot: string, keyboard: string): Promise<Walked[]> {
  const kbDir = join(treeRoot, "keyboards", keyboard);
  const files = await walkFiles(
    treeRoot,
    kbDir,
    (_rel, name) => name === "keymaps" || SKIP_DIRS.has(name),
    (_rel, name) => BUILD_OUTPUT.test(name),
  );
  const segments = keyboard.split("/");
  for (let depth = 1; depth < segments.length; depth++) {
    const dir = join(treeRoot, "keyboards", ...segments.slice(0, depth));
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isFile() && !BUILD_OUTPUT.test(e.name)) {
        const path = join(dir, e.name);
        files.push({
          name: relative(treeRoot, path).split(sep).join("/"),
          path,
          mode: (await lstat(path)).mode & 0o777,
        });
      }
    }
  }
  return files;
}

export interface SourceZipInput {
  dest: string;
  treeRoot: string;
  keyboard: string;
  keymap: string; // the user's keymap name: the zip holds keyboards/<kb>/keymaps/<keymap>/
  keymapC: string;
  keymapJson: string;
  manifest: SourceManifest;
}

export async function writeSourceZip(input: SourceZipInput): Promise<{ sha256: string; size: number }> {
  const keymapDir = `keyboards/${input.keyboard}/keymaps/${input.keymap}`;
  const entries: ZipEntry[] = (await keyboardFiles(input.treeRoot, input.keyboard)).map((f) => ({
    name: f.name,
    path: f.path,
    mode: f.mode,
  }));
  entries.push(
    { name: `${keymapDir}/keymap.c`, content: input.keymapC },
    { name: `${keymapDir}/keymap.json`, content: input.keymapJson },
    { name: SOURCE_MANIFEST_NAME, content: `${JSON.stringify(input.manifest, null, 2)}\n` },
  );
  return writeZip(input.dest, entries);
}

export interface TreeArchive {
  path: string;
  filename: string;
  sha256: string;
  size: number;
}

// Per-job leftovers that may be in a shared tree while it is archived.
const JOB_FILE = /_qe_[0-9a-f]{32}\.[A-Za-z0-9]+$/;
const JOB_KEYMAP_DIR = /^qe_[0-9a-f]{32}$/;

// One archive of the complete tree per firmware version, made on first use and kept in the work dir.
export class TreeArchives {
  readonly #dir: string;
  readonly #pending = new Map<string, Promise<TreeArchive>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  get(tree: FirmwareTree): Promise<TreeArchive> {
    let p = this.#pending.get(tree.version);
    if (!p) {
      p = this.#make(tree);
      this.#pending.set(tree.version, p);
      p.catch(() => this.#pending.delete(tree.version));
    }
    return p;
  }

  async #make(tree: FirmwareTree): Promise<TreeArchive> {
    const filename = `tree-${tree.version}.zip`;
    const path = join(this.#dir, filename);
    await mkdir(this.#dir, { recursive: true });
    const existing = await stat(path).catch(() => null);
    if (existing?.isFile()) return { path, filename, sha256: await sha256File(path), size: existing.size };
    // Build outputs land at the top of the tree (firmware files) or in skipped dirs (.build).
    const files = await walkFiles(
      tree.root,
      tree.root,
      (rel, name) => SKIP_DIRS.has(name) || (rel.includes("/keymaps/") && JOB_KEYMAP_DIR.test(name)),
      (rel, name) =>
        rel === name && (BUILD_OUTPUT.test(name) || JOB_FILE.test(name) || name.startsWith(".qmk-edge")),
    );
    const { sha256, size } = await writeZip(
      path,
      files.map((f) => ({ name: f.name, path: f.path, mode: f.mode })),
    );
    return { path, filename, sha256, size };
  }
}
