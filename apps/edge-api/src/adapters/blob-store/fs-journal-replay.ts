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
  encodeHeader,
  isWholeFile,
  JOURNAL_DIR,
  type JournalEntry,
  sha256Hex,
  writeAllSync,
  writerIsGone,
} from "./fs-format.ts";

type Decoded = { kind: "put"; entry: JournalEntry } | { kind: "abort"; key: string };

// The lines up to the first torn or damaged one.
export function decodeSegment(text: string): Decoded[] {
  const out: Decoded[] = [];
  let start = 0;
  for (let end = text.indexOf("\n"); end >= 0; start = end + 1, end = text.indexOf("\n", start)) {
    let value: unknown;
    try {
      value = JSON.parse(text.slice(start, end));
    } catch {
      break;
    }
    if (!Array.isArray(value)) break;
    if (value[0] === "a" && typeof value[1] === "string") {
      out.push({ kind: "abort", key: value[1] });
      continue;
    }
    const [kind, key, contentType, sha256, body] = value as unknown[];
    if (kind !== "p" || typeof key !== "string" || typeof contentType !== "string") break;
    if (typeof sha256 !== "string" || typeof body !== "string" || sha256Hex(body) !== sha256) break;
    out.push({ kind: "put", entry: { key, contentType, sha256, text: body } });
  }
  return out;
}

export interface ReplayReport {
  segments: number;
  entries: number;
  rewritten: number;
}

// At start, before the store serves (synchronous on purpose). A segment whose writer is gone (this host, its
// pid not running) is retired after its replay; another live writer's segment is replayed and left to it.
export function replayJournals(root: string, pathOf: (key: string) => string, tempDir: string): ReplayReport {
  const dir = join(root, JOURNAL_DIR);
  mkdirSync(dir, { recursive: true });
  const report: ReplayReport = { segments: 0, entries: 0, rewritten: 0 };
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".log")) continue;
    const segmentPath = join(dir, name);
    const lines = decodeSegment(readFileSync(segmentPath, "utf8"));
    const aborted = new Set(lines.flatMap((l) => (l.kind === "abort" ? [l.key] : [])));
    const orphan = writerIsGone(name);
    const synced = new Set<string>();
    report.segments++;
    for (const line of lines) {
      if (line.kind !== "put" || aborted.has(line.entry.key)) continue;
      report.entries++;
      const path = pathOf(line.entry.key);
      if (replayEntry(path, line.entry, tempDir)) report.rewritten++;
      else if (orphan) syncFileSync(path);
      for (const d of ancestors(root, path)) synced.add(d);
    }
    for (const d of synced) syncFileSync(d);
    if (orphan) unlinkSync(segmentPath);
  }
  return report;
}

// true: the file was missing or not whole and is now written from the entry, durably.
function replayEntry(path: string, entry: JournalEntry, tempDir: string): boolean {
  let existing: Buffer | null = null;
  try {
    existing = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
  }
  if (existing && isWholeFile(existing)) return false;
  const body = Buffer.from(entry.text, "utf8");
  const header = encodeHeader({
    content_type: entry.contentType,
    size: body.byteLength,
    sha256: entry.sha256,
  });
  const temp = join(tempDir, `replay-${process.pid}-${Math.random().toString(36).slice(2)}.part`);
  const fd = openSync(temp, "wx", 0o644);
  try {
    writeAllSync(fd, Buffer.concat([header, body]));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  mkdirSync(dirname(path), { recursive: true });
  if (existing) {
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

function syncFileSync(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
