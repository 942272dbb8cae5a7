// Empty objects of the directory store (a token's served/ markers, open/ markers) share one inode: a journaled
// write of an empty body where there is no file is published as a hard link to a template file of the same
// content type instead of a file of its own. The template's header has no generation (0), and so has the
// journal's line of such a write (fs-format.ts); an empty body over an existing file is a file of its own, of a
// generation above it. Creating a file costs an inode allocation (50-300 µs of CPU measured on this project's
// ext4, growing with the inodes deleted in the last minutes); a link is a directory entry (about 12 µs).
// Every copy of an empty object is the same bytes (header + nothing), and nothing ever writes into a
// published file (a put renames a new file over the name, a delete unlinks the name), so a shared inode is
// never seen changing. Templates are whole and durable (fsynced, folder too) before the first link to one;
// the link itself is made durable like any journaled file (the journal's line first, replay and retirement
// after: fs-journal.ts). A template lives in .empty/, named after its process like the journal's segments;
// a template of a process that is gone is removed at the next start (its links keep the inode).
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
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

let instances = 0;

export class EmptyObjectLinks {
  readonly #dir: string;
  readonly #tempDir: string;
  readonly #name = `${JOURNAL_HOST}~${process.pid}~${Date.now().toString(36)}${(instances++).toString(36)}`;
  readonly #templates = new Map<string, string>();
  #made = 0;

  // Removes the templates of processes on this host that are gone (their links keep their inodes).
  constructor(root: string, tempDir: string) {
    this.#dir = join(root, EMPTY_DIR);
    this.#tempDir = tempDir;
    mkdirSync(this.#dir, { recursive: true });
    for (const name of readdirSync(this.#dir)) {
      if (writerIsGone(name)) {
        try {
          unlinkSync(join(this.#dir, name));
        } catch {}
      }
    }
  }

  // Publishes `path`, where the caller expects no file, as an empty object of `contentType`: a link to the
  // template. A file already there is left as it is: KeyTakenError (the caller writes it as a file of its own,
  // whose generation is above that file's, where a link's 0 may be below it).
  publish(contentType: string, path: string): void {
    try {
      linkNew(this.#template(contentType), path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EMLINK" && code !== "ENOENT") throw err;
      // The template took the most links the disk allows (65,000 on ext4), or it was removed: a new one. A
      // full one leaves .empty/ (its links keep the inode). Linux answers EEXIST before EMLINK or ENOENT, so
      // a key already there is told as such, not as this.
      const stale = this.#templates.get(contentType);
      this.#templates.delete(contentType);
      if (code === "EMLINK" && stale !== undefined) {
        try {
          unlinkSync(stale);
        } catch {}
      }
      linkNew(this.#template(contentType), path);
    }
  }

  // Synchronous, once per content type and process (and per 65,000 links): a file and two fsyncs.
  #template(contentType: string): string {
    const known = this.#templates.get(contentType);
    if (known) return known;
    const path = join(this.#dir, `${this.#name}~${this.#made++}`);
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
    this.#templates.set(contentType, path);
    return path;
  }

  // The process's templates go with it; the links made from them stay.
  close(): void {
    for (const path of this.#templates.values()) {
      try {
        unlinkSync(path);
      } catch {}
    }
    this.#templates.clear();
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
