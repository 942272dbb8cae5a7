// Overwrites through the directory store's journal write into inodes earlier overwrites replaced
// (adapters/blob-store/fs-spare-inodes.ts), so a record overwritten in steady state makes and frees no inode;
// every reader still sees each key's own whole object: another store on the folder, a reader in another process
// that opened an inode before it was reused, and the replay after a power cut that undid a reused inode's writes.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { encodeHeader, sha256Hex } from "../src/adapters/blob-store/fs-format.ts";
import { publishSync } from "../src/adapters/blob-store/fs-publish-sync.ts";
import { SPARE_DIR, SpareInodes, spareMinAge } from "../src/adapters/blob-store/fs-spare-inodes.ts";
import { readBlobText } from "../src/ports/blob-store.ts";

const FIRST = { contentType: "application/json", firstWrite: true };
const SERIAL = { contentType: "application/json", serialized: true };
let dir: string;
const stores: FsBlobStore[] = [];
const open = (options: ConstructorParameters<typeof FsBlobStore>[1] = { journal: true }) => {
  const store = new FsBlobStore(dir, options);
  stores.push(store);
  return store;
};
// A file as a journaled publish writes it: its header names its key.
const fileOf = (key: string, text: string, generation: number) => {
  const body = Buffer.from(text, "utf8");
  const header = encodeHeader({
    content_type: "application/json",
    size: body.byteLength,
    sha256: sha256Hex(body),
    generation,
    key,
  });
  return Buffer.concat([header, body]);
};
const inode = (key: string) => statSync(join(dir, key)).ino;
const spares = () => readdirSync(join(dir, SPARE_DIR));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qmk-edge-spares-"));
  spareMinAge.ms = 0;
});
afterEach(async () => {
  spareMinAge.ms = 1_000;
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("FsBlobStore: overwrites reuse the inodes they replaced", () => {
  it("writes a put into the inode an earlier overwrite replaced, each key whole to another store", async () => {
    const store = open();
    await store.put("jobs/a.json", '"a0"', FIRST);
    const a0 = inode("jobs/a.json");
    await store.put("jobs/a.json", '"a1"', SERIAL);
    const a1 = inode("jobs/a.json");
    expect(a1).not.toBe(a0);
    expect(spares()).toHaveLength(1);
    // The next overwrite goes into a0, which the last one replaced; a first write into a1.
    await store.put("jobs/a.json", '"a2"', SERIAL);
    expect(inode("jobs/a.json")).toBe(a0);
    await store.put("jobs/b.json", '"b0"', FIRST);
    expect(inode("jobs/b.json")).toBe(a1);
    expect(spares()).toHaveLength(0);

    const other = open({});
    expect(await readBlobText(other, "jobs/a.json")).toBe('"a2"');
    expect(await readBlobText(other, "jobs/b.json")).toBe('"b0"');
    expect(await other.head("jobs/b.json")).toMatchObject({ size: 4, sha256: sha256Hex('"b0"') });
  });

  it("links no spare name for a first write, which replaces no file; an overwrite keeps the one it replaces", async () => {
    spareMinAge.ms = 60_000;
    const keep = vi.spyOn(SpareInodes.prototype, "keep");
    try {
      const store = open();
      for (let i = 0; i < 5; i++) await store.put(`jobs/n${i}.json`, '"v0"', FIRST);
      await store.put("served/t/n0", "", { contentType: "text/plain", firstWrite: true });
      expect(keep).toHaveBeenCalledTimes(0);
      for (let i = 0; i < 5; i++) await store.put(`jobs/n${i}.json`, '"v1"', SERIAL);
      expect(keep).toHaveBeenCalledTimes(5);
      expect(spares()).toHaveLength(5);
      // A serialized put of a key that has no file yet replaces nothing either.
      await store.put("jobs/fresh.json", '"v0"', SERIAL);
      expect(keep).toHaveBeenCalledTimes(5);
      const other = open({});
      for (let i = 0; i < 5; i++) expect(await readBlobText(other, `jobs/n${i}.json`)).toBe('"v1"');
    } finally {
      keep.mockRestore();
    }
  });

  it("never writes into an inode with another name: an empty object's template stays empty", async () => {
    const store = open();
    await store.put("open/x", "", { contentType: "text/plain", firstWrite: true });
    await store.put("open/y", "", { contentType: "text/plain", firstWrite: true });
    const template = inode("open/y");
    expect(inode("open/x")).toBe(template);
    // Overwriting a linked key keeps the template's inode as a spare; the next put must not write into it.
    await store.put("open/x", "now text", { contentType: "text/plain", serialized: true });
    await store.put("jobs/c.json", '"c0"', FIRST);
    expect(inode("jobs/c.json")).not.toBe(template);
    const other = open({});
    expect(await readBlobText(other, "open/y")).toBe("");
    expect(await readBlobText(other, "open/x")).toBe("now text");
    expect(await readBlobText(other, "jobs/c.json")).toBe('"c0"');
  });

  it("removes its spares at close, and a dead process's at the next start", async () => {
    spareMinAge.ms = 60_000;
    const store = open();
    for (let i = 0; i < 3; i++) await store.put(`jobs/k${i}.json`, '"v0"', FIRST);
    for (let i = 0; i < 3; i++) await store.put(`jobs/k${i}.json`, '"v1"', SERIAL);
    expect(spares()).toHaveLength(3);
    await store.close();
    expect(spares()).toHaveLength(0);
    // A process on this host that is gone left one behind.
    writeFileSync(join(dir, SPARE_DIR, `${encodeURIComponent(hostname())}~999999999~x~0`), "");
    open();
    expect(spares()).toHaveLength(0);
  });

  it("replays a key whose file holds another key's object, what a power cut can leave of a reused inode", async () => {
    const store = open();
    await store.put("jobs/a.json", '"a-acknowledged"', FIRST);
    // The file at a's name as a power cut may leave it when its inode had been another key's: whole, and of a
    // higher generation than a's line, but b's.
    writeFileSync(join(dir, "jobs", "a.json"), fileOf("jobs/b.json", '"b"', Date.now() * 1000 + 10e9));
    await store.close();
    const again = open();
    expect(await readBlobText(again, "jobs/a.json")).toBe('"a-acknowledged"');
  });

  it("never shows a reader in another process another key's object or half of one", async () => {
    // The publishes of journaled puts without the journal's commit in between, so the reuse comes fast.
    const spareInodes = new SpareInodes(dir);
    let temps = 0;
    const publish = (key: string, text: string) =>
      publishSync(
        key,
        join(dir, ".tmp", `t${temps++}`),
        join(dir, ...key.split("/")),
        fileOf(key, text, temps),
        spareInodes,
      );
    mkdirSync(join(dir, ".tmp"), { recursive: true });
    publish("jobs/a.json", '"a-0"');
    publish("jobs/b.json", '"b-0"');
    const reader = spawn(
      process.execPath,
      [fileURLToPath(new URL("../test-support/spare-inode-reader.ts", import.meta.url)), dir, "jobs/a.json"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    reader.stdout.on("data", (chunk) => {
      out += chunk;
    });
    const exited = new Promise((resolve) => reader.on("close", resolve));
    while (!out.includes("ready")) await new Promise((r) => setTimeout(r, 20));
    // Overwrites of two keys in turn: each takes the inode the one before replaced, while the reader reads a.
    // b's objects are of every size up to several pages, so a torn read shows.
    for (let round = 0; round < 5; round++) {
      for (let i = 1; i <= 1_000; i++) {
        publish("jobs/a.json", `"a-${round}-${i}"`);
        publish("jobs/b.json", `"b-${i}${"x".repeat((i * 7) % 9000)}"`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    spareInodes.close();
    reader.kill("SIGTERM");
    await exited;
    const report = JSON.parse(out.slice(out.indexOf("{"))) as { reads: number; bad: string[] };
    expect(report.reads).toBeGreaterThan(0);
    expect(report.bad).toEqual([]);
  }, 120_000);
});
