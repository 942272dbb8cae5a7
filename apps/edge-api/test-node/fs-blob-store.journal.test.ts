// The directory store's journal (adapters/blob-store/fs-journal.ts): first writes are durable in a group
// commit and their files follow without an fsync of their own, so what a power cut can do to such a file
// (lose it, leave it empty, short or zeroed) is undone by the replay at the next start.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { JOURNAL_DIR, sha256Hex } from "../src/adapters/blob-store/fs-format.ts";
import { decodeSegment } from "../src/adapters/blob-store/fs-journal-replay.ts";
import { readBlobText } from "../src/ports/blob-store.ts";

const NEW = { contentType: "application/json", firstWrite: true };
let dir: string;
const stores: FsBlobStore[] = [];
const open = (options: ConstructorParameters<typeof FsBlobStore>[1] = { journal: true }) => {
  const store = new FsBlobStore(dir, options);
  stores.push(store);
  return store;
};
const segments = () => readdirSync(join(dir, JOURNAL_DIR)).filter((n) => n.endsWith(".log"));
const line = (key: string, text: string) =>
  `${JSON.stringify(["p", key, "application/json", sha256Hex(text), text])}\n`;
const record = (i: number) => JSON.stringify({ id: `job${i}`, status: "queued", notes: "é\n".repeat(i) });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qmk-edge-journal-"));
});
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("FsBlobStore with a journal", () => {
  it("puts concurrent first writes in shared commits, each whole and readable when its put resolves", async () => {
    const store = open();
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.put(`jobs/job${i}.json`, record(i), NEW)));
    const stats = store.journalStats()!;
    expect(stats.lines).toBe(200);
    expect(stats.commits).toBeLessThan(200);
    for (let i = 0; i < 200; i++) expect(await readBlobText(store, `jobs/job${i}.json`)).toBe(record(i));
    const lines = segments().flatMap((n) => decodeSegment(readFileSync(join(dir, JOURNAL_DIR, n), "utf8")));
    expect(lines).toHaveLength(200);
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
