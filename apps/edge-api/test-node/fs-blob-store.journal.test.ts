// The directory store's journal (adapters/blob-store/fs-journal.ts): first writes are durable in a group
// commit and their files follow without an fsync of their own, so what a power cut can do to such a file
// (lose it, leave it empty, short or zeroed) is undone by the replay at the next start.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import {
  fileGeneration,
  HEADER_BYTES,
  JOURNAL_DIR,
  sha256Hex,
} from "../src/adapters/blob-store/fs-format.ts";
import { decodeSegment } from "../src/adapters/blob-store/fs-journal-replay.ts";
import { readBlobText } from "../src/ports/blob-store.ts";

const NEW = { contentType: "application/json", firstWrite: true };
// An overwrite whose writers the caller serializes (a job's record under its job lock): journaled too.
const SERIAL = { contentType: "application/json", serialized: true };
const DURABLE = { contentType: "application/json" };
let dir: string;
const stores: FsBlobStore[] = [];
const open = (options: ConstructorParameters<typeof FsBlobStore>[1] = { journal: true }) => {
  const store = new FsBlobStore(dir, options);
  stores.push(store);
  return store;
};
const segments = () => readdirSync(join(dir, JOURNAL_DIR)).filter((n) => n.endsWith(".log"));
const line = (key: string, text: string, generation?: number) =>
  `${JSON.stringify(["p", key, "application/json", sha256Hex(text), text, ...(generation === undefined ? [] : [generation])])}\n`;
const host = encodeURIComponent(hostname());
// A pid no process on this host has any more.
const deadPid = () =>
  Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString());
const fileOf = (key: string) => join(dir, ...key.split("/"));
// What a power cut that undid the last renames leaves: the file as it was at an earlier put, whole.
const snapshot = (key: string) => readFileSync(fileOf(key));
const record = (i: number) => JSON.stringify({ id: `job${i}`, status: "queued", notes: "é\n".repeat(i) });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qmk-edge-journal-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("FsBlobStore with a journal", () => {
  it("puts concurrent first writes in shared commits, each whole and readable when its put resolves", async () => {
    const store = open();
    // More lines than one writev takes buffers (IOV_MAX, 3 per line): a commit writes them in turns, in order.
    const n = 400;
    await Promise.all(Array.from({ length: n }, (_, i) => store.put(`jobs/job${i}.json`, record(i), NEW)));
    const stats = store.journalStats()!;
    expect(stats.lines).toBe(n);
    expect(stats.commits).toBeLessThan(n);
    for (let i = 0; i < n; i++) expect(await readBlobText(store, `jobs/job${i}.json`)).toBe(record(i));
    const lines = segments().flatMap((name) => decodeSegment(readFileSync(join(dir, JOURNAL_DIR, name))));
    expect(lines.map((l) => (l.kind === "put" ? l.entry.key : l.kind))).toEqual(
      Array.from({ length: n }, (_, i) => `jobs/job${i}.json`),
    );
  });

  it("journals a put as the bytes of its file; a file line cut short, damaged or not ended ends its segment", async () => {
    const store = open();
    const keys = ["a", "b", "c", "d"].map((k) => `jobs/${k}.json`);
    for (const [i, key] of keys.entries()) await store.put(key, record(i + 1), NEW);
    const [name] = segments();
    const segment = readFileSync(join(dir, JOURNAL_DIR, name!));
    const files = keys.map((key) => readFileSync(fileOf(key)));
    // Each line is its file, byte for byte, between its length and a newline.
    for (const file of files) {
      const framed = Buffer.concat([Buffer.from(`["f",${file.byteLength}]\n`), file, Buffer.from("\n")]);
      expect(segment.indexOf(framed)).toBeGreaterThanOrEqual(0);
    }
    const decoded = decodeSegment(segment);
    expect(decoded.map((l) => (l.kind === "put" ? [l.entry.key, l.entry.file] : l))).toEqual(
      keys.map((key, i) => [key, files[i]]),
    );

    const cStart = segment.indexOf(files[2]!);
    const cEnd = cStart + files[2]!.byteLength;
    const damaged = Buffer.from(segment);
    damaged[cEnd - 3] = damaged[cEnd - 3]! ^ 1;
    const unended = Buffer.from(segment);
    unended[cEnd] = 0x20;
    const overlong = Buffer.concat([
      segment.subarray(0, segment.lastIndexOf(`["f",${files[2]!.byteLength}]`, cStart)),
      Buffer.from(`["f",${files[2]!.byteLength + 1}]\n`),
      segment.subarray(cStart),
    ]);
    for (const torn of [segment.subarray(0, cEnd - 10), damaged, unended, overlong]) {
      expect(decodeSegment(torn).map((l) => (l.kind === "put" ? l.entry.key : l.kind))).toEqual(
        keys.slice(0, 2),
      );
    }

    // Replayed as a dead writer's segment into an empty store: a and b are written, byte for byte; c and d not.
    await store.close();
    rmSync(dir, { recursive: true });
    mkdirSync(join(dir, JOURNAL_DIR), { recursive: true });
    writeFileSync(join(dir, JOURNAL_DIR, `${host}~${deadPid()}~x~0.log`), segment.subarray(0, cEnd - 10));
    const second = open();
    expect(readFileSync(fileOf(keys[0]!))).toEqual(files[0]);
    expect(await readBlobText(second, keys[1]!)).toBe(record(2));
    for (const key of keys.slice(2)) expect(await second.head(key)).toBeNull();
  });

  it("replays at start what a power cut took from files written after the commit: lost, empty, short, zeroed", async () => {
    const first = open();
    for (let i = 0; i < 5; i++) await first.put(`jobs/job${i}.json`, record(i), NEW);
    // A later durable put of job4 (not a first write) is newer than its journal line and must stay.
    await first.put("jobs/job4.json", '{"id":"job4","status":"running"}', {
      contentType: "application/json",
    });
    // No close: the process is gone with its journal left behind.
    const path = (i: number) => join(dir, "jobs", `job${i}.json`);
    rmSync(path(0));
    truncateSync(path(1), 0);
    truncateSync(path(2), 520);
    writeFileSync(path(3), Buffer.alloc(readFileSync(path(3)).byteLength));

    const second = open();
    for (let i = 0; i < 4; i++) expect(await readBlobText(second, `jobs/job${i}.json`)).toBe(record(i));
    expect(await readBlobText(second, "jobs/job4.json")).toBe('{"id":"job4","status":"running"}');
  });

  it("replays no line from a torn one on, and no entry struck out because its file could not be written", async () => {
    const journal = join(dir, JOURNAL_DIR);
    open();
    const torn = line("jobs/c.json", '{"id":"c"}');
    writeFileSync(
      join(journal, `${encodeURIComponent(hostname())}~${process.pid}~test~0.log`),
      line("jobs/a.json", '{"id":"a"}') +
        line("jobs/b.json", '{"id":"b"}') +
        `${JSON.stringify(["a", "jobs/b.json"])}\n` +
        torn.slice(0, torn.length - 9) +
        line("jobs/d.json", '{"id":"d"}'),
    );
    // A line whose digest does not match its bytes ends its segment too.
    writeFileSync(
      join(journal, `${encodeURIComponent(hostname())}~${process.pid}~test~1.log`),
      line("jobs/e.json", '{"id":"e"}').replace('{\\"id\\":\\"e\\"}', '{\\"id\\":\\"E\\"}') +
        line("jobs/f.json", '{"id":"f"}'),
    );
    const store = open();
    expect(await readBlobText(store, "jobs/a.json")).toBe('{"id":"a"}');
    for (const key of ["b", "c", "d", "e", "f"]) expect(await store.head(`jobs/${key}.json`)).toBeNull();
  });

  it("strikes out an entry whose file could not be published after its commit: replay does not create it", async () => {
    const first = open();
    // A file where the key's folder should be: the commit succeeds, publishing the file cannot.
    writeFileSync(join(dir, "blocked"), "not a folder");
    await expect(first.put("blocked/job.json", record(1), NEW)).rejects.toThrow();
    await first.put("jobs/kept.json", record(2), NEW);
    await first.close();
    rmSync(join(dir, "blocked"));
    const second = open();
    expect(await second.head("blocked/job.json")).toBeNull();
    expect(await readBlobText(second, "jobs/kept.json")).toBe(record(2));
  });

  it("retires the segment of a writer that is gone after replaying it, and leaves a live writer's alone", async () => {
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    const deadPid = Number(dead.stdout.toString());
    open();
    const host = encodeURIComponent(hostname());
    const journal = join(dir, JOURNAL_DIR);
    writeFileSync(join(journal, `${host}~${deadPid}~gone~0.log`), line("jobs/gone.json", '{"id":"gone"}'));
    writeFileSync(
      join(journal, `${host}~${process.pid}~live~0.log`),
      line("jobs/live.json", '{"id":"live"}'),
    );
    const store = open();
    expect(await readBlobText(store, "jobs/gone.json")).toBe('{"id":"gone"}');
    expect(await readBlobText(store, "jobs/live.json")).toBe('{"id":"live"}');
    expect(segments()).toEqual([`${host}~${process.pid}~live~0.log`]);
  });

  it("hands a segment's promise to its files once retired: the segment is deleted, the files stay", async () => {
    const store = open({ journal: { segmentMs: 20, retireAfterMs: 20 } });
    await store.put("served/token/job1", "", { contentType: "text/plain", firstWrite: true });
    await store.put("jobs/job1.json", record(1), NEW);
    expect(segments().length).toBeGreaterThan(0);
    for (let tries = 0; segments().length > 0 && tries < 500; tries++)
      await new Promise((r) => setTimeout(r, 20));
    expect(segments()).toEqual([]);
    expect(await readBlobText(store, "jobs/job1.json")).toBe(record(1));
    expect(existsSync(join(dir, "served", "token", "job1"))).toBe(true);
  });

  it("writes a generation above the file it replaces on every put, journaled or durable, over a file without one", async () => {
    const store = open();
    const path = fileOf("jobs/g.json");
    // A file of before generations (a header without one) is generation 0.
    await store.put("jobs/g.json", "{}", DURABLE);
    const header = Buffer.alloc(HEADER_BYTES, " ");
    header.write(JSON.stringify({ content_type: "application/json", size: 2, sha256: sha256Hex("{}") }));
    header[HEADER_BYTES - 1] = 0x0a;
    writeFileSync(path, Buffer.concat([header, Buffer.from("{}")]));
    expect(fileGeneration(path)).toBe(0);
    const seen = [0];
    // The wall clock stands still (or stepped back): one above the file is what orders the puts.
    vi.spyOn(performance, "now").mockReturnValue(performance.now());
    for (const options of [SERIAL, DURABLE, SERIAL, NEW, SERIAL]) {
      await store.put("jobs/g.json", `{"n":${seen.length}}`, options);
      seen.push(fileGeneration(path)!);
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
    expect(store.journalStats()!.lines).toBe(4);
  });

  it("replays the newest line of an overwritten key over the older whole file a power cut left", async () => {
    const first = open();
    await first.put("jobs/a.json", '{"status":"queued"}', NEW);
    const queued = snapshot("jobs/a.json");
    await first.put("jobs/a.json", '{"status":"running"}', SERIAL);
    await first.put("jobs/a.json", '{"status":"finished"}', SERIAL);
    await first.put("jobs/b.json", '{"status":"queued"}', NEW);
    await first.put("jobs/b.json", '{"status":"running"}', SERIAL);
    const running = snapshot("jobs/b.json");
    await first.put("jobs/b.json", '{"status":"finished"}', SERIAL);
    expect(first.journalStats()!.lines).toBe(6);
    // No close. The renames of the overwrites are undone (a folder never fsynced): older files, whole.
    writeFileSync(fileOf("jobs/a.json"), queued);
    writeFileSync(fileOf("jobs/b.json"), running);
    const second = open();
    expect(await readBlobText(second, "jobs/a.json")).toBe('{"status":"finished"}');
    expect(await readBlobText(second, "jobs/b.json")).toBe('{"status":"finished"}');
  });

  it("never replays a line over a later durable put of its key", async () => {
    const first = open();
    await first.put("jobs/a.json", '{"status":"queued"}', NEW);
    await first.put("jobs/a.json", '{"status":"running"}', SERIAL);
    // Not journaled: fsynced with its folder; its generation is above every line of the key.
    await first.put("jobs/a.json", '{"status":"failed","by":"operator"}', DURABLE);
    const second = open();
    expect(await readBlobText(second, "jobs/a.json")).toBe('{"status":"failed","by":"operator"}');
    expect(fileGeneration(fileOf("jobs/a.json"))).toBeGreaterThan(
      Math.max(
        ...segments().flatMap((n) =>
          decodeSegment(readFileSync(join(dir, JOURNAL_DIR, n))).flatMap((l) =>
            l.kind === "put" ? [l.entry.generation] : [],
          ),
        ),
      ),
    );
  });

  it("replays the highest generation of a key across the segments of two processes, whatever their order", async () => {
    // x: the file holds generation 6, whole: older than x's newest line, 7. y: no file.
    const plain = open({});
    await plain.put("jobs/x.json", '{"x":"six"}', DURABLE);
    writeFileSync(fileOf("jobs/x.json"), withGeneration(snapshot("jobs/x.json"), 6));
    const journal = join(dir, JOURNAL_DIR);
    mkdirSync(journal);
    // Two writers of the same keys (processes sharing BLOB_DIR, the job lock passed between them); the name
    // sorted first holds the newest line of one key and the oldest of the other.
    writeFileSync(
      join(journal, `${host}~${deadPid()}~aaa~0.log`),
      line("jobs/x.json", '{"x":7}', 7) + line("jobs/y.json", '{"y":2}', 2),
    );
    writeFileSync(
      join(journal, `${host}~${deadPid()}~zzz~0.log`),
      line("jobs/x.json", '{"x":5}', 5) +
        line("jobs/y.json", '{"y":9}', 9) +
        line("jobs/x.json", '{"x":6}', 6),
    );
    const replayed = open();
    expect(await readBlobText(replayed, "jobs/x.json")).toBe('{"x":7}');
    expect(await readBlobText(replayed, "jobs/y.json")).toBe('{"y":9}');
    expect(fileGeneration(fileOf("jobs/y.json"))).toBe(9);
  });

  it("replaces a torn file with the key's highest line, not the first or the last one found", async () => {
    open();
    writeFileSync(
      join(dir, JOURNAL_DIR, `${host}~${deadPid()}~w~0.log`),
      line("jobs/t.json", '{"t":2}', 2) +
        line("jobs/t.json", '{"t":4}', 4) +
        line("jobs/t.json", '{"t":3}', 3),
    );
    mkdirSync(join(dir, "jobs"), { recursive: true });
    // What a power cut leaves of a file written after its commit: a header and zeros.
    writeFileSync(fileOf("jobs/t.json"), Buffer.alloc(HEADER_BYTES + 7));
    const store = open();
    expect(await readBlobText(store, "jobs/t.json")).toBe('{"t":4}');
  });

  it("strikes a line by its key, generation and writer: an older line of the key and another writer's stay", async () => {
    open();
    const abort = (key: string, generation: number) => `${JSON.stringify(["a", key, generation])}\n`;
    const a = `${host}~${deadPid()}~a`;
    writeFileSync(
      join(dir, JOURNAL_DIR, `${a}~0.log`),
      line("jobs/k.json", '{"k":2}', 2) +
        line("jobs/k.json", '{"k":"struck"}', 3) +
        line("jobs/m.json", '{"m":"A"}', 3),
    );
    // The abort lands in the writer's next segment (its commit failed, or the segment rotated meanwhile).
    writeFileSync(join(dir, JOURNAL_DIR, `${a}~1.log`), abort("jobs/k.json", 3) + abort("jobs/m.json", 3));
    writeFileSync(
      join(dir, JOURNAL_DIR, `${host}~${deadPid()}~b~0.log`),
      line("jobs/m.json", '{"m":"B"}', 3),
    );
    mkdirSync(join(dir, "jobs"), { recursive: true });
    writeFileSync(fileOf("jobs/k.json"), Buffer.alloc(0));
    const store = open();
    expect(await readBlobText(store, "jobs/k.json")).toBe('{"k":2}');
    expect(await readBlobText(store, "jobs/m.json")).toBe('{"m":"B"}');
  });

  it("never reuses a struck generation for the key, even when the wall clock stands still", async () => {
    const first = open();
    vi.spyOn(performance, "now").mockReturnValue(performance.now());
    writeFileSync(join(dir, "blocked"), "not a folder");
    await expect(first.put("blocked/job.json", '{"try":1}', NEW)).rejects.toThrow();
    rmSync(join(dir, "blocked"));
    await first.put("blocked/job.json", '{"try":2}', NEW);
    await first.close();
    rmSync(fileOf("blocked/job.json"));
    const second = open();
    expect(await readBlobText(second, "blocked/job.json")).toBe('{"try":2}');
  });

  it("never reuses a struck generation 0 for an empty object: its retry is a file of a later generation", async () => {
    const first = open();
    const MARKER = { contentType: "text/plain", firstWrite: true };
    writeFileSync(join(dir, "blocked"), "not a folder");
    await expect(first.put("blocked/marker", "", MARKER)).rejects.toThrow();
    rmSync(join(dir, "blocked"));
    await first.put("blocked/marker", "", MARKER);
    expect(fileGeneration(fileOf("blocked/marker"))).toBeGreaterThan(0);
    await first.close();
    rmSync(fileOf("blocked/marker"));
    const second = open();
    expect(await readBlobText(second, "blocked/marker")).toBe("");
  });

  it("strikes only the generation whose file could not be published: a later put of the key is replayed", async () => {
    const first = open();
    writeFileSync(join(dir, "blocked"), "not a folder");
    await expect(first.put("blocked/job.json", '{"try":1}', NEW)).rejects.toThrow();
    rmSync(join(dir, "blocked"));
    await first.put("blocked/job.json", '{"try":2}', NEW);
    await first.put("blocked/job.json", '{"try":3}', SERIAL);
    const struck = segments()
      .flatMap((n) => decodeSegment(readFileSync(join(dir, JOURNAL_DIR, n))))
      .filter((l) => l.kind === "abort");
    expect(struck).toHaveLength(1);
    await first.close();
    rmSync(fileOf("blocked/job.json"));
    const second = open();
    expect(await readBlobText(second, "blocked/job.json")).toBe('{"try":3}');
  });

  it("writes through the durable path what is not a first write, or not text", async () => {
    const store = open();
    await store.put("jobs/x.json", "{}", { contentType: "application/json" });
    await store.put("bytes/y", new Uint8Array([1, 2, 3]), {
      contentType: "application/octet-stream",
      firstWrite: true,
    });
    expect(store.journalStats()).toEqual({ commits: 0, lines: 0 });
    expect(open({}).journalStats()).toBeNull();
  });
});

// The same file with its header's generation set to `generation`.
function withGeneration(file: Buffer, generation: number): Buffer {
  const header = JSON.parse(file.toString("utf8", 0, HEADER_BYTES)) as Record<string, unknown>;
  const out = Buffer.alloc(HEADER_BYTES, " ");
  out.write(JSON.stringify({ ...header, generation }));
  out[HEADER_BYTES - 1] = 0x0a;
  return Buffer.concat([out, file.subarray(HEADER_BYTES)]);
}
