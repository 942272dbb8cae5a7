import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { JOB_ROOT_FILE } from "../job-names.ts";
import type { FirmwareTree } from "../tree/firmware-tree.ts";
import { BUILD_OUTPUT, SKIP_DIRS, sha256File, walkFiles, writeZip, zipEntryOf } from "./packaging.ts";

// One zip of the complete tree per firmware version, made on first use and kept in the work dir, so a
// user can rebuild any firmware from its source zip plus this one file (qmk_compiler re-clones and zips
// the whole tree for every single job instead). Every job of the version shares it: it is uploaded once,
// content-addressed, as the jobs' `tree` artifact. A real tree has 25,000-40,000 files: they are read
// one at a time (packaging.ts), and the zip is made once, in the background, never on a job's path
// more than once.

export interface TreeArchive {
  path: string;
  filename: string;
  sha256: string;
  size: number;
}

// Faster than the source zip's 9 and nearly as small on source text; this zip has ~1000x the bytes.
const TREE_ZIP_LEVEL = 6;

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
      // A failed attempt is retried by the next caller; the rejection itself is the caller's to handle.
      p.catch(() => this.#pending.delete(tree.version));
    }
    return p;
  }

  async #make(tree: FirmwareTree): Promise<TreeArchive> {
    const filename = `tree-${tree.version}.zip`;
    const path = join(this.#dir, filename);
    await mkdir(this.#dir, { recursive: true });
    // writeZip renames into place only when complete, so a file here is a whole archive.
    const existing = await stat(path).catch(() => null);
    if (existing?.isFile()) return { path, filename, sha256: await sha256File(path), size: existing.size };
    // Build outputs and other jobs' files land at the top of the tree (firmware files) or in skipped dirs (.build). A
    // submodule's .git is a file ("gitdir: ..."), skipped like the directory.
    const files = await walkFiles(
      tree.root,
      tree.root,
      (_rel, name) => SKIP_DIRS.has(name),
      (rel, name) =>
        name === ".git" ||
        (rel === name &&
          (BUILD_OUTPUT.test(name) || JOB_ROOT_FILE.test(name) || name.startsWith(".qmk-edge"))),
    );
    const { sha256, size } = await writeZip(path, files.map(zipEntryOf), { level: TREE_ZIP_LEVEL });
    return { path, filename, sha256, size };
  }
}
