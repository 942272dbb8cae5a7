import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { lstat, readdir, rename, rm, stat } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { SOURCE_MANIFEST_NAME, type SourceManifest } from "@qmk-edge/schema";
import { writeZipFile } from "./zip-writer.ts";

// Zips for reproducing a build: the per-job source zip (the generated keymap, the keyboard's folder and a
// manifest), and the whole tree once per firmware version (tree-archives.ts), which holds tens of
// thousands of files: zip-writer.ts reads a bounded few at a time.

export interface ZipEntry {
  name: string;
  path?: string; // a file on disk
  stats?: Stats; // its lstat, when already known
  content?: string | Buffer;
  mode?: number;
}

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

export async function writeZip(
  dest: string,
  entries: ZipEntry[],
  opts: { level?: number } = {},
): Promise<{ sha256: string; size: number }> {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set<string>();
  for (const e of sorted) {
    assertCleanEntryName(e.name);
    if (names.has(e.name)) throw new Error(`duplicate zip entry ${e.name}`);
    names.add(e.name);
  }
  const tmp = `${dest}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await writeZipFile(
      tmp,
      sorted.map((e) => ({
        name: e.name,
        mode: e.mode ?? 0o644,
        path: e.path,
        size: e.stats?.size,
        content: e.content ?? (e.path === undefined ? "" : undefined),
      })),
      { level: opts.level ?? 9 },
    );
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
export const BUILD_OUTPUT = /\.(hex|bin|elf|uf2|o|d|lst|map)$/i;
export const SKIP_DIRS = new Set([".git", ".build", "node_modules"]);

export interface Walked {
  name: string; // relative to the tree, POSIX
  path: string;
  stats: Stats;
}

export const zipEntryOf = (f: Walked): ZipEntry => ({
  name: f.name,
  path: f.path,
  stats: f.stats,
  mode: f.stats.mode & 0o777,
});

// Regular files under dir (symlinks are skipped: they may point anywhere), relative names. One
// directory is read at a time, so a walk of a large tree holds one directory handle at most.
export async function walkFiles(
  treeRoot: string,
  dir: string,
  skipDir: (rel: string, name: string) => boolean,
  skipFile: (rel: string, name: string) => boolean,
  out: Walked[] = [],
): Promise<Walked[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rel = (name: string) => relative(treeRoot, join(dir, name)).split(sep).join("/");
  const files = entries.filter((e) => e.isFile() && !skipFile(rel(e.name), e.name));
  // lstat holds no file open: a directory's files are stat'ed a batch at a time.
  for (let i = 0; i < files.length; i += 64) {
    const batch = files.slice(i, i + 64);
    const stats = await Promise.all(batch.map((e) => lstat(join(dir, e.name))));
    batch.forEach((e, j) => {
      out.push({ name: rel(e.name), path: join(dir, e.name), stats: stats[j]! });
    });
  }
  for (const e of entries) {
    if (e.isDirectory() && !skipDir(rel(e.name), e.name)) {
      await walkFiles(treeRoot, join(dir, e.name), skipDir, skipFile, out);
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
        files.push({ name: relative(treeRoot, path).split(sep).join("/"), path, stats: await lstat(path) });
      }
    }
  }
  return files;
}

// Where the request's keymap.json goes in the source zip: at its root, beside MANIFEST.json, and never
// in the keymap dir, where QMK would build it as well as keymap.c (`qmk compile keymap.json` takes it).
export const SOURCE_KEYMAP_JSON = "keymap.json";

export interface SourceZipInput {
  dest: string;
  treeRoot: string;
  keyboard: string; // the keyboard folder that was built (aliases and DEFAULT_FOLDER resolved)
  keymap: string; // the user's keymap name: the zip holds keyboards/<keyboard>/keymaps/<keymap>/keymap.c
  keymapC: string;
  // The keymap dir's other files (config.h, rules.mk, keymap.h from the request's config and keycodes).
  keymapFiles?: Readonly<Record<string, string>>;
  keymapJson: string;
  manifest: SourceManifest;
}

export async function writeSourceZip(input: SourceZipInput): Promise<{ sha256: string; size: number }> {
  const keymapDir = `keyboards/${input.keyboard}/keymaps/${input.keymap}`;
  const entries = (await keyboardFiles(input.treeRoot, input.keyboard)).map(zipEntryOf);
  entries.push(
    { name: `${keymapDir}/keymap.c`, content: input.keymapC },
    ...Object.entries(input.keymapFiles ?? {})
      .filter(([name]) => name !== "keymap.c")
      .map(([name, content]) => ({ name: `${keymapDir}/${name}`, content })),
    { name: SOURCE_KEYMAP_JSON, content: input.keymapJson },
    { name: SOURCE_MANIFEST_NAME, content: `${JSON.stringify(input.manifest, null, 2)}\n` },
  );
  return writeZip(input.dest, entries);
}
