// Empty objects of the directory store (a token's served/ markers, open/ markers) share one inode: a journaled
// write of an empty body where there is no file is published as a hard link to a template file of the same
// content type and top folder instead of a file of its own. The template's header has no generation (0), and so
// has the journal's line of such a write (fs-format.ts); an empty body over an existing file is a file of its
// own, of a generation above it. Creating a file costs an inode allocation (50-300 µs of CPU measured on this
// project's ext4, growing with the inodes deleted in the last minutes); a link is a directory entry (about 12
// µs). Every copy of an empty object is the same bytes (header + nothing), and nothing ever writes into a
// published file (a put renames a new file over the name, a delete unlinks the name), so a shared inode is
// never seen changing. Templates are whole and durable (fsynced, folder too) before the first link to one;
// the link itself is made durable like any journaled file (the journal's line first, replay and retirement
// after: fs-journal.ts). A template lives in .empty/, named after its process like the journal's segments.
//
// A template per top folder makes the file system keep a count: a template's link count is one more than the
// keys linked to it, so the keys of a folder (open/: the jobs not ended, for the jobs' 503 reserve) are
// counted by a stat per template rather than by listing the folder (30-50 ms of CPU at 30,000 keys on this
// disk). A template is therefore kept while keys link to it, also once no process will link to it again (its
// process closed or is gone, or it took the most links the disk allows: "retired"), and removed once none do.
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  encodeHeader,
  fsyncPathSync,
  JOURNAL_HOST,
  sha256Hex,
  writeAllSync,
  writerIsGone,
} from "./fs-format.ts";

export const EMPTY_DIR = ".empty";
const EMPTY_SHA256 = sha256Hex("");
// A template no writer links to any more ends in this; it goes once no key links to it.
const RETIRED = "~retired";

let instances = 0;

export class EmptyObjectLinks {
  readonly #dir: string;
  readonly #tempDir: string;
  readonly #name = `${JOURNAL_HOST}~${process.pid}~${Date.now().toString(36)}${(instances++).toString(36)}`;
  // Path of this writer's template by content type and top folder.
  readonly #templates = new Map<string, string>();
  // Top folders whose keys linkedKeys counts: their templates are kept while keys link to them. Others' go with
  // their writer, as their links keep the inode (a token's served/ markers live on: a template kept per start
  // would pile up).
  readonly #counted: ReadonlySet<string>;
  #made = 0;

  constructor(root: string, tempDir: string, counted: Iterable<string> = []) {
    this.#dir = join(root, EMPTY_DIR);
    this.#tempDir = tempDir;
    this.#counted = new Set(counted);
    this.#sweep();
  }

  // Publishes `path` (the file of `key`), where the caller expects no file, as an empty object of
  // `contentType`: a link to the template of the key's top folder. A file already there is left as it is:
  // KeyTakenError (the caller writes it as a file of its own, whose generation is above that file's, where a
  // link's 0 may be below it).
  publish(contentType: string, key: string, path: string): void {
    const slot = `${topFolder(key)}\n${contentType}`;
    try {
      linkNew(this.#template(slot, contentType, key), path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EMLINK" && code !== "ENOENT") throw err;
      // The template took the most links the disk allows (65,000 on ext4), or it was removed: a new one. A
      // full one is retired (kept while keys link to it). Linux answers EEXIST before EMLINK or ENOENT, so a
      // key already there is told as such, not as this.
      const stale = this.#templates.get(slot);
      this.#templates.delete(slot);
      if (code === "EMLINK" && stale !== undefined) this.#retire(stale);
      linkNew(this.#template(slot, contentType, key), path);
    }
  }

  // linkedKeys counts this top folder ("open").
  counts(folder: string): boolean {
    return this.#counted.has(folder);
  }

  // How many keys under `folder` (one it counts) are links to a template, this writer's or any other's on
  // this folder, as their link counts tell now. Keys written as files of their own are not among them.
  linkedKeys(folder: string): number {
    let keys = 0;
    for (const name of this.#sweep()) {
      if (templateFolder(name) !== folder) continue;
      const links = linkCount(join(this.#dir, name));
      if (links > 1) keys += links - 1;
    }
    return keys;
  }

  // Synchronous, once per content type, folder and process (and per 65,000 links): a file and two fsyncs.
  #template(slot: string, contentType: string, key: string): string {
    const known = this.#templates.get(slot);
    if (known) return known;
    const path = join(this.#dir, `${this.#name}~${this.#made++}~${topFolder(key)}`);
    const temp = join(this.#tempDir, `empty-${this.#name}-${this.#made}.part`);
    const header = encodeHeader({ content_type: contentType, size: 0, sha256: EMPTY_SHA256 });
    const fd = openSync(temp, "wx", 0o644);
    try {
      try {
        writeAllSync(fd, header);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, path);
    } catch (err) {
      try {
        unlinkSync(temp);
      } catch {}
      throw err;
    }
    fsyncPathSync(this.#dir);
    this.#templates.set(slot, path);
    return path;
  }

  // Removes the templates no writer will link to again (retired, or of a process on this host that is gone)
  // that no key links to, or whose folder is not counted; returns the names left.
  #sweep(): string[] {
    const left: string[] = [];
    // Gone (an operator's cleanup): made again, as a template is when its file is (publish).
    mkdirSync(this.#dir, { recursive: true });
    for (const name of readdirSync(this.#dir)) {
      const path = join(this.#dir, name);
      const done = name.endsWith(RETIRED) || writerIsGone(name);
      if (done && (!this.#countsTemplate(name) || linkCount(path) <= 1)) {
        try {
          unlinkSync(path);
          continue;
        } catch {}
      }
      left.push(name);
    }
    return left;
  }

  #countsTemplate(name: string): boolean {
    const folder = templateFolder(name);
    return folder !== null && this.#counted.has(folder);
  }

  // The writer's templates go with it, but those of counted folders that keys link to: retired.
  close(): void {
    for (const path of this.#templates.values()) this.#retire(path);
    this.#templates.clear();
  }

  // A template no writer will link to again: kept (renamed as retired) while it counts keys, else removed.
  #retire(path: string): void {
    try {
      if (this.#countsTemplate(basename(path)) && linkCount(path) > 1) {
        if (!path.endsWith(RETIRED)) renameSync(path, `${path}${RETIRED}`);
      } else unlinkSync(path);
    } catch {}
  }
}

// A key's top folder ("open" of "open/<id>"; "" for a key with no folder).
function topFolder(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

// A template's name: <host>~<pid>~<writer>~<n>~<folder>[~retired]; a name of before folders has no folder
// (null: counted for none).
function templateFolder(name: string): string | null {
  const parts = name.split("~");
  return parts.length >= 5 ? parts[4]! : null;
}

function linkCount(path: string): number {
  try {
    return statSync(path, { throwIfNoEntry: false })?.nlink ?? 0;
  } catch {
    return 0;
  }
}

// The file under `path` a first write expected not to find.
export class KeyTakenError extends Error {
  override name = "KeyTakenError";
}

// A link to the template under `path`, which must not exist.
function linkNew(template: string, path: string): void {
  try {
    linkOrMkdir(template, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new KeyTakenError(path, { cause: err });
    throw err;
  }
}

function linkOrMkdir(template: string, path: string): void {
  try {
    linkSync(template, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    // The key's folder does not exist yet (the journal's retirement syncs the folders it made); ENOENT
    // again means the template is gone.
    mkdirSync(dirname(path), { recursive: true });
    linkSync(template, path);
  }
}
