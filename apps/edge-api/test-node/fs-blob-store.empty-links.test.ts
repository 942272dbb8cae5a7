// Empty objects written for the first time through the directory store's journal (served/ and open/ markers)
// are links to one shared template file, not files of their own (adapters/blob-store/fs-empty-links.ts): no
// inode is allocated per marker, and every reader (this process, another store on the same folder, a replay
// after a crash) still sees a whole empty object under each key.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { JobRecord } from "@qmk-edge/schema";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { EMPTY_DIR } from "../src/adapters/blob-store/fs-empty-links.ts";
import { fileGeneration, JOURNAL_DIR, sha256Hex } from "../src/adapters/blob-store/fs-format.ts";
import { decodeSegment } from "../src/adapters/blob-store/fs-journal-replay.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { readBlobText } from "../src/ports/blob-store.ts";

const MARKER = { contentType: "text/plain", firstWrite: true };
let dir: string;
const stores: FsBlobStore[] = [];
const open = (options: ConstructorParameters<typeof FsBlobStore>[1] = { journal: true }) => {
  const store = new FsBlobStore(dir, options);
  stores.push(store);
  return store;
};
const inode = (key: string) => statSync(join(dir, key)).ino;
const templates = () => readdirSync(join(dir, EMPTY_DIR));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qmk-edge-empty-"));
});
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("FsBlobStore: empty first writes share one file", () => {
  it("links every empty marker to one template per content type, each a whole empty object to every reader", async () => {
    const store = open();
    const keys = Array.from({ length: 50 }, (_, i) => `served/token${i % 3}/job${i}`);
    await Promise.all(keys.map((key) => store.put(key, "", MARKER)));
    await store.put("other/typed", "", { contentType: "application/json", firstWrite: true });

    expect(new Set(keys.map(inode)).size).toBe(1);
    expect(statSync(join(dir, keys[0]!)).nlink).toBe(51);
    expect(inode("other/typed")).not.toBe(inode(keys[0]!));
    expect(templates()).toHaveLength(2);
    // Another process's store on the same folder reads and lists them like any object.
    const other = open({});
    for (const key of keys) {
      expect(await other.head(key)).toEqual({ size: 0, contentType: "text/plain", sha256: sha256Hex("") });
      expect(await readBlobText(other, key)).toBe("");
    }
    expect(await other.head("other/typed")).toMatchObject({ contentType: "application/json", size: 0 });
    expect((await other.list("served/token1/")).sort()).toEqual(
      keys.filter((k) => k.includes("token1/")).sort(),
    );

    // A delete removes one name; a durable put over a linked key replaces that key alone.
    await other.delete(keys[0]!);
    await other.put(keys[1]!, "not empty", { contentType: "text/plain" });
    expect(await other.head(keys[0]!)).toBeNull();
    expect(await readBlobText(other, keys[1]!)).toBe("not empty");
    expect(await readBlobText(other, keys[2]!)).toBe("");
    expect(statSync(join(dir, keys[2]!)).nlink).toBe(49);
  });

  it("replaces an object already under the key, and makes a new template when its own is gone", async () => {
    const store = open();
    await store.put("served/t/replaced", "old bytes", { contentType: "text/plain" });
    await store.put("served/t/replaced", "", MARKER);
    expect(await readBlobText(store, "served/t/replaced")).toBe("");
    expect(await store.head("served/t/replaced")).toMatchObject({ size: 0, contentType: "text/plain" });

    for (const name of templates()) unlinkSync(join(dir, EMPTY_DIR, name));
    await store.put("served/t/after", "", MARKER);
    expect(await readBlobText(store, "served/t/after")).toBe("");
    expect(inode("served/t/after")).not.toBe(inode("served/t/replaced"));
    expect(templates()).toHaveLength(1);
  });

  it("writes an empty object over one already under the key as a file of its own, not a link of generation 0", async () => {
    const store = open();
    await store.put("served/t/first", "", MARKER);
    await store.put("served/t/replaced", "old bytes", { contentType: "text/plain" });
    await store.put("served/t/replaced", "", MARKER);
    expect(await readBlobText(store, "served/t/replaced")).toBe("");
    expect(await store.head("served/t/replaced")).toMatchObject({ size: 0, contentType: "text/plain" });
    // A link would carry the template's generation 0, below the file it replaced: a power cut that undid the
    // link would leave "old bytes", whole and of a higher generation than the line, and replay would keep it.
    expect(inode("served/t/replaced")).not.toBe(inode("served/t/first"));
    expect(statSync(join(dir, "served/t/replaced")).nlink).toBe(1);
    expect(readdirSync(join(dir, ".tmp"))).toEqual([]);
  });

  it("writes a marker put again as a first write (a retried completion's) as a file above the link, its line struck", async () => {
    const store = open();
    await store.put("served/t/again", "", MARKER);
    expect(fileGeneration(join(dir, "served/t/again"))).toBe(0);
    // A first write looks for no file; the link finds one, so that line is struck and the put made again.
    await store.put("served/t/again", "", MARKER);
    expect(fileGeneration(join(dir, "served/t/again"))).toBeGreaterThan(0);
    expect(statSync(join(dir, "served/t/again")).nlink).toBe(1);
    const lines = readdirSync(join(dir, JOURNAL_DIR))
      .filter((n) => n.endsWith(".log"))
      .flatMap((n) => decodeSegment(readFileSync(join(dir, JOURNAL_DIR, n))));
    expect(lines.filter((l) => l.kind === "abort")).toEqual([
      { kind: "abort", key: "served/t/again", generation: 0 },
    ]);
    expect(readdirSync(join(dir, ".tmp"))).toEqual([]);
    expect(await readBlobText(store, "served/t/again")).toBe("");
  });

  it("restores a lost marker from the journal at the next start, and clears templates of processes gone", async () => {
    const first = open();
    await first.put("open/job1", "", MARKER);
    await first.put("open/job2", "", MARKER);
    // No close: the process died; a power cut took a link its folder had not yet written out.
    rmSync(join(dir, "open", "job1"));
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    const goneTemplate = `${encodeURIComponent(hostname())}~${Number(dead.stdout.toString())}~x~0`;
    writeFileSync(join(dir, EMPTY_DIR, goneTemplate), "");

    const second = open();
    expect((await second.list("open/")).sort()).toEqual(["open/job1", "open/job2"]);
    expect(await readBlobText(second, "open/job1")).toBe("");
    expect(await second.head("open/job1")).toMatchObject({ size: 0, contentType: "text/plain" });
    expect(existsSync(join(dir, EMPTY_DIR, goneTemplate))).toBe(false);
  });

  it("retires a segment with one fsync for all the markers linked to a template, and one per other file", async () => {
    const store = open({ journal: { segmentMs: 20, retireAfterMs: 20 } });
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => store.put(`served/t/job${i}`, "", MARKER)),
      store.put("jobs/a.json", '{"id":"a"}', { contentType: "application/json", firstWrite: true }),
      store.put("jobs/b.json", '{"id":"b"}', { contentType: "application/json", firstWrite: true }),
    ]);
    const segments = () => readdirSync(join(dir, ".journal")).filter((n) => n.endsWith(".log"));
    for (let tries = 0; segments().length > 0 && tries < 500; tries++)
      await new Promise((r) => setTimeout(r, 20));
    expect(segments()).toEqual([]);
    expect(store.journalFileSyncs()).toBe(3);
    expect(await readBlobText(store, "served/t/job19")).toBe("");
  });

  it("gives BlobJobStore's open and served markers no file of their own", async () => {
    const jobs = new BlobJobStore(open());
    const record = (id: string) =>
      ({ id, status: "queued", created_at: "2026-12-06T00:00:00.000Z" }) as JobRecord;
    const { id: j1 } = await jobs.accept(record);
    const { id: j2 } = await jobs.accept(record);
    await jobs.markServed("token", j1);
    await jobs.markServed("token", j2);
    expect(inode(`open/${j1}`)).toBe(inode(`open/${j2}`));
    expect(inode(`served/token/${j1}`)).toBe(inode(`served/token/${j2}`));
    // A template per top folder: its link count is the folder's count (fs-blob-store.key-counts.test.ts).
    expect(inode(`served/token/${j1}`)).not.toBe(inode(`open/${j1}`));
    expect((await jobs.openJobIds()).sort()).toEqual([j1, j2].sort());
    expect((await jobs.servedBy("token")).sort()).toEqual([j1, j2].sort());
  });
});
