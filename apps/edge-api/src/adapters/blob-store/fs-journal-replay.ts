// Replay of the directory store's journal (fs-journal.ts) at start, before the store serves: synchronous.
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
import {
  ancestors,
  encodeFile,
  fsyncPathSync,
  JOURNAL_DIR,
  type JournalEntry,
  wholeFileEntry,
  wholeFileGeneration,
  writeAllSync,
  writerIsGone,
} from "./fs-format.ts";

type Decoded =
  | { kind: "put"; entry: JournalEntry }
  // generation null: a line written before generations, striking the key's lines in its own segment.
  | { kind: "abort"; key: string; generation: number | null };

// The lines up to the first torn or damaged one. A line is JSON: `["f",<n>]` followed by the n bytes of the
// key's file and a newline (fs-journal.ts), `["a",<key>,<generation>]` (an abort), or, in segments written
// before files were journaled whole, `["p",<key>,<type>,<sha256>,<text>,<generation>]` (no generation: 0).
export function decodeSegment(bytes: Buffer): Decoded[] {
  const out: Decoded[] = [];
  for (let start = 0, end = bytes.indexOf(0x0a); end >= 0; end = bytes.indexOf(0x0a, start)) {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString("utf8", start, end));
    } catch {
      break;
    }
    if (!Array.isArray(value)) break;
    start = end + 1;
    if (value[0] === "f") {
      const size = value[1];
      if (!Number.isSafeInteger(size) || start + size >= bytes.byteLength || bytes[start + size] !== 0x0a)
        break;
      const entry = wholeFileEntry(bytes.subarray(start, start + size));
      if (!entry) break;
      out.push({ kind: "put", entry });
      start += size + 1;
      continue;
    }
    if (value[0] === "a" && typeof value[1] === "string") {
      const generation = value.length > 2 ? value[2] : null;
      if (generation !== null && !Number.isSafeInteger(generation)) break;
      out.push({ kind: "abort", key: value[1], generation: generation as number | null });
      continue;
    }
    const entry = textLineEntry(value);
    if (!entry) break;
    out.push({ kind: "put", entry });
  }
  return out;
}

// A `p` line (text inside the JSON), as the file its put wrote; null when it is not one or fails its digest.
function textLineEntry(value: unknown[]): JournalEntry | null {
  const [kind, key, contentType, sha256, text, generation = 0] = value;
  if (kind !== "p" || typeof key !== "string" || typeof contentType !== "string") return null;
  if (typeof sha256 !== "string" || typeof text !== "string") return null;
  if (!Number.isSafeInteger(generation) || (generation as number) < 0) return null;
  const file = encodeFile({ key, contentType, generation: generation as number, text });
  return file.sha256 === sha256 ? { key, generation: generation as number, file: file.bytes } : null;
}

export interface ReplayReport {
  segments: number;
  entries: number;
  rewritten: number;
}

interface SegmentFile {
  name: string;
  writer: string;
  seq: number;
  lines: Decoded[];
}

// `<host>~<pid>~<instance>~<n>.log`: the writer is all but the sequence number.
function segmentFile(dir: string, name: string): SegmentFile {
  const cut = name.lastIndexOf("~");
  const seq = Number(name.slice(cut + 1, -".log".length));
  return {
    name,
    writer: cut > 0 ? name.slice(0, cut) : name,
    seq: Number.isFinite(seq) ? seq : 0,
    lines: decodeSegment(readFileSync(join(dir, name))),
  };
}

// At start, before the store serves (synchronous on purpose). Per key, the line of the highest generation in
// any segment, unless struck, is written again, durably, when the file is missing, not whole, or of a lower
// generation; a whole file of that generation or a later one (that line, or a later put) is never touched. A
// line is struck by an abort of its key and generation from the same writer (or, written before generations,
// an abort of its key in the same segment). Lines of one generation for one key (a tie no writer makes: see
// fs-format.ts nextGeneration) resolve to the writer's later line, then to the name's order. A segment whose
// writer is gone (this host, its pid not running) is retired after its replay; another live writer's segment
// is replayed and left to it.
export function replayJournals(root: string, pathOf: (key: string) => string, tempDir: string): ReplayReport {
  const dir = join(root, JOURNAL_DIR);
  mkdirSync(dir, { recursive: true });
  const report: ReplayReport = { segments: 0, entries: 0, rewritten: 0 };
  const segments = readdirSync(dir)
    .filter((name) => name.endsWith(".log"))
    .map((name) => segmentFile(dir, name))
    .sort((a, b) => (a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : a.seq - b.seq));
  // Struck lines, `<writer> <generation> <key>`.
  const struck = new Set<string>();
  for (const segment of segments)
    for (const line of segment.lines)
      if (line.kind === "abort" && line.generation !== null)
        struck.add(`${segment.writer} ${line.generation} ${line.key}`);
  const newest = new Map<string, JournalEntry>();
  const named = new Set<string>();
  const orphaned = new Set<string>();
  for (const segment of segments) {
    report.segments++;
    const orphan = writerIsGone(segment.name);
    const abortedHere = new Set(
      segment.lines.flatMap((l) => (l.kind === "abort" && l.generation === null ? [l.key] : [])),
    );
    for (const line of segment.lines) {
      if (line.kind !== "put") continue;
      const { key, generation } = line.entry;
      if (abortedHere.has(key) || struck.has(`${segment.writer} ${generation} ${key}`)) continue;
      report.entries++;
      named.add(key);
      if (orphan) orphaned.add(key);
      const known = newest.get(key);
      if (!known || generation >= known.generation) newest.set(key, line.entry);
    }
  }
  const rewritten = new Set<string>();
  for (const entry of newest.values()) {
    if (replayEntry(pathOf(entry.key), entry, tempDir)) {
      report.rewritten++;
      rewritten.add(entry.key);
    }
  }
  // Whatever the path holds now is at least each line's generation: it and its folders take the lines' promise.
  const folders = new Set<string>();
  for (const key of named) {
    const path = pathOf(key);
    if (orphaned.has(key) && !rewritten.has(key)) fsyncPathSync(path);
    for (const d of ancestors(root, path)) folders.add(d);
  }
  for (const d of folders) fsyncPathSync(d);
  for (const segment of segments) if (writerIsGone(segment.name)) unlinkSync(join(dir, segment.name));
  return report;
}

// true: the file was missing, not whole, or older than the entry and is now written from it, durably.
function replayEntry(path: string, entry: JournalEntry, tempDir: string): boolean {
  const existing = readIfExists(path);
  const onDisk = existing ? wholeFileGeneration(existing, entry.key) : null;
  if (onDisk !== null && onDisk >= entry.generation) return false;
  const temp = join(tempDir, `replay-${process.pid}-${Math.random().toString(36).slice(2)}.part`);
  const fd = openSync(temp, "wx", 0o644);
  try {
    writeAllSync(fd, entry.file);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  mkdirSync(dirname(path), { recursive: true });
  if (existing) {
    // Looked at again right before the rename: a live writer sharing the directory may have published this
    // line or a later put meanwhile (the window left is the one between this read and the rename).
    const now = readIfExists(path);
    const nowGeneration = now ? wholeFileGeneration(now, entry.key) : null;
    if (nowGeneration !== null && nowGeneration >= entry.generation) {
      unlinkSync(temp);
      return false;
    }
    renameSync(temp, path);
  } else {
    // Missing: created only if still missing (a live writer may publish the same entry meanwhile).
    try {
      linkSync(temp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    unlinkSync(temp);
  }
  return true;
}

function readIfExists(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw err;
  }
}
