// The directory store counts the keys of a folder it was told to count (open/: the jobs' 503 reserve) by its
// templates' link counts, not by listing the folder (fs-empty-links.ts): every empty marker is a link to its
// folder's template, so the file system keeps the count, for every process sharing the folder. Keys that are
// files of their own are added as the folder's last listing found them, at most FILE_KEYS_RECOUNT_MS ago.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FILE_KEYS_RECOUNT_MS, FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { EMPTY_DIR } from "../src/adapters/blob-store/fs-empty-links.ts";

const MARKER = { contentType: "text/plain", firstWrite: true };
let dir: string;
const stores: FsBlobStore[] = [];
const open = () => {
  const store = new FsBlobStore(dir, { journal: true, countedFolders: ["open"] });
  stores.push(store);
  return store;
};
// How often each store listed a folder.
const listingsOf = (store: FsBlobStore) => vi.spyOn(store, "list");
const templates = () => readdirSync(join(dir, EMPTY_DIR));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qmk-edge-key-counts-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("FsBlobStore.countKeys", () => {
  it("counts a counted folder's keys by links, as list() finds them, in every store on the folder, listing once", async () => {
    const a = open();
    const b = open();
    const listedA = listingsOf(a);
    const listedB = listingsOf(b);
    await Promise.all(Array.from({ length: 30 }, (_, i) => a.put(`open/a${i}`, "", MARKER)));
    await Promise.all(Array.from({ length: 3 }, (_, i) => b.put(`open/b${i}`, "", MARKER)));
    for (let i = 0; i < 5; i++) await b.delete(`open/a${i}`);
    // Other folders' markers are not the folder's.
    await a.put("served/t/x", "", MARKER);
    await a.put("open/sub/deeper", "", { contentType: "text/plain" });

    expect((await a.list("open/")).length).toBe(28);
    listedA.mockClear();
    expect(await a.countKeys("open/")).toBe(28);
    expect(await b.countKeys("open/")).toBe(28);
    await a.put("open/a30", "", MARKER);
    await a.delete("open/b0");
    await a.delete("open/b1");
    expect(await a.countKeys("open/")).toBe(27);
    expect(await b.countKeys("open/")).toBe(27);
    // One listing per store, for the keys that are files of their own (none here).
    expect(listedA).toHaveBeenCalledTimes(1);
    expect(listedB).toHaveBeenCalledTimes(1);
  });

  it("counts a closed writer's keys, and removes its template once no key links to it", async () => {
    const first = open();
    for (let i = 0; i < 4; i++) await first.put(`open/j${i}`, "", MARKER);
    await first.put("served/t/j0", "", MARKER);
    await first.close();
    stores.splice(stores.indexOf(first), 1);
    // The open/ template stays (its keys are counted), the served/ one went with its writer as before.
    expect(templates()).toHaveLength(1);

    const second = open();
    expect(await second.countKeys("open/")).toBe(4);
    for (let i = 0; i < 4; i++) await second.delete(`open/j${i}`);
    expect(await second.countKeys("open/")).toBe(0);
    expect(templates()).toEqual([]);
    expect(existsSync(join(dir, "served/t/j0"))).toBe(true);
  });

  it("adds the keys that are files of their own as the last listing found them, listed again after 30 s", async () => {
    let now = Date.now();
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const store = open();
    await store.put("open/linked", "", MARKER);
    // Not a first write: a file of its own, as a marker restored by a replay or put again.
    await store.put("open/file1", "", { contentType: "text/plain" });
    expect(await store.countKeys("open/")).toBe(2);
    await store.put("open/file2", "", { contentType: "text/plain" });
    now += FILE_KEYS_RECOUNT_MS - 1;
    expect(await store.countKeys("open/")).toBe(2);
    now += 1;
    expect(await store.countKeys("open/")).toBe(3);
  });

  it("lists a folder it does not count", async () => {
    const store = open();
    const listed = listingsOf(store);
    await store.put("served/t/a", "", MARKER);
    await store.put("served/t/b", "", MARKER);
    expect(await store.countKeys("served/t/")).toBe(2);
    expect(await store.countKeys("open/")).toBe(0);
    expect(listed.mock.calls.map(([prefix]) => prefix)).toEqual(["served/t/", "open/"]);
  });
});
