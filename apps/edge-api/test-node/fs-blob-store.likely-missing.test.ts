// A read the caller expects to find nothing (a build-cache entry of a new keymap: ReadOptions
// `likelyMissing`) asks the directory store with a stat first; its answers are a plain read's, in every case.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { readBlobText } from "../src/ports/blob-store.ts";

let dir: string;
let store: FsBlobStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qmk-edge-likely-missing-"));
  store = new FsBlobStore(dir, { journal: true });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const both = async (key: string) => [
  await readBlobText(store, key),
  await readBlobText(store, key, { likelyMissing: true }),
];

describe("FsBlobStore: a read of a key likely missing", () => {
  it("answers as a plain read: null where nothing is, the text where it is", async () => {
    expect(await both("cache/none.json")).toEqual([null, null]);
    expect(await both("nofolder/none.json")).toEqual([null, null]);
    await store.put("cache/some.json", '{"a":1}', { contentType: "application/json" });
    expect(await both("cache/some.json")).toEqual(['{"a":1}', '{"a":1}']);
    // A file where the key's folder should be: no such object either way (ENOTDIR).
    writeFileSync(join(dir, "plain"), "x");
    expect(await both("plain/none.json")).toEqual([null, null]);
  });

  it("fails as a plain read where the key is not a readable object", async () => {
    mkdirSync(join(dir, "cache", "folder.json"), { recursive: true });
    await expect(readBlobText(store, "cache/folder.json")).rejects.toThrow();
    await expect(readBlobText(store, "cache/folder.json", { likelyMissing: true })).rejects.toThrow();
    writeFileSync(join(dir, "cache", "short.json"), "not a header");
    await expect(readBlobText(store, "cache/short.json", { likelyMissing: true })).rejects.toThrow(
      /short header/,
    );
  });
});
