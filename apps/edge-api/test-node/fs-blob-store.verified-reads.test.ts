// A small object's read that finds the very bytes it verified last time gives their text again without a second
// look (adapters/blob-store/fs-verified-reads.ts): a queued job's status poll re-reads a record nobody changed.
// Bytes decide, never sizes or times: whatever wrote the file meanwhile is what the next read gives.
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { encodeHeader, sha256Hex } from "../src/adapters/blob-store/fs-format.ts";
import { VerifiedReads } from "../src/adapters/blob-store/fs-verified-reads.ts";

const FIRST = { contentType: "application/json", firstWrite: true };
const SERIAL = { contentType: "application/json", serialized: true };
let dir: string;
const stores: FsBlobStore[] = [];
const open = () => {
  const store = new FsBlobStore(dir, { journal: true });
  stores.push(store);
  return store;
};
// A file as a journaled publish writes it, or with a header that does not match its body.
const fileOf = (key: string, text: string, generation: number, sha256 = sha256Hex(Buffer.from(text))) => {
  const body = Buffer.from(text, "utf8");
  return Buffer.concat([
    encodeHeader({ content_type: "application/json", size: body.byteLength, sha256, generation, key }),
    body,
  ]);
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qmk-edge-verified-reads-"));
});
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("FsBlobStore: a read of bytes it verified before", () => {
  it("gives the same text without a second look while nobody writes the file", async () => {
    const store = open();
    await store.put("jobs/a.json", '{"status":"queued"}', FIRST);
    for (let i = 0; i < 10; i++) expect(await store.getText("jobs/a.json")).toBe('{"status":"queued"}');
    expect(store.verifiedReadHits()).toBe(9);
  });

  it("reads what another store on the folder wrote, same size, at once", async () => {
    const reader = open();
    const writer = open();
    await writer.put("jobs/a.json", '{"status":"queued"}', FIRST);
    expect(await reader.getText("jobs/a.json")).toBe('{"status":"queued"}');
    await writer.put("jobs/a.json", '{"status":"leased"}', SERIAL);
    expect(await reader.getText("jobs/a.json")).toBe('{"status":"leased"}');
    expect(await reader.getText("jobs/a.json")).toBe('{"status":"leased"}');
    expect(reader.verifiedReadHits()).toBe(1);
  });

  it("reads a file rewritten in place with the same size, header generation and times", async () => {
    const store = open();
    const path = join(dir, "jobs/a.json");
    await store.put("jobs/a.json", '{"n":1}', FIRST);
    expect(await store.getText("jobs/a.json")).toBe('{"n":1}');
    const before = statSync(path);
    writeFileSync(path, fileOf("jobs/a.json", '{"n":2}', 1));
    utimesSync(path, before.atime, before.mtime);
    expect(await store.getText("jobs/a.json")).toBe('{"n":2}');
    expect(store.verifiedReadHits()).toBe(0);
  });

  it("never keeps bytes that are not the key's own: a damaged file is looked at on every read", async () => {
    const store = open();
    writeFileSync(join(dir, "jobs-a.json"), fileOf("jobs-a.json", '{"n":1}', 1, "0".repeat(64)));
    expect(await store.getText("jobs-a.json")).toBe('{"n":1}');
    expect(await store.getText("jobs-a.json")).toBe('{"n":1}');
    expect(store.verifiedReadHits()).toBe(0);
  });

  it("keeps a bounded number of files, the oldest kept going first", () => {
    const reads = new VerifiedReads(2);
    const bytes = (s: string) => Buffer.from(s);
    reads.keep("/a", "a", bytes("A"), "a");
    reads.keep("/b", "b", bytes("B"), "b");
    reads.keep("/c", "c", bytes("C"), "c");
    expect(reads.textOf("/a", "a", bytes("A"))).toBeNull();
    expect(reads.textOf("/b", "b", bytes("B"))).toBe("b");
    expect(reads.textOf("/c", "c", bytes("C"))).toBe("c");
    expect(reads.textOf("/c", "other-key", bytes("C"))).toBeNull();
    expect(reads.textOf("/c", "c", bytes("D"))).toBeNull();
  });
});
