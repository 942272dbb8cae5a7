// The directory store's durable overwrite of a small body (adapters/blob-store/fs-durable-write.ts,
// durableWriteSmall) shares one folder fsync among the renames into a folder (fs-folder-sync.ts), and a put
// never resolves before a folder fsync that started after its rename.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { FolderSyncs } from "../src/adapters/blob-store/fs-folder-sync.ts";
import { readBlobText } from "../src/ports/blob-store.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qmk-edge-folder-sync-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

// A folder fsync the test ends by hand; `started` lists the folder of each one started, in order.
function heldSyncs() {
  const started: string[] = [];
  const ends: Array<() => void> = [];
  return {
    started,
    syncFolder: (folder: string) =>
      new Promise<void>((resolve) => {
        started.push(folder);
        ends.push(resolve);
      }),
    end(i: number) {
      ends[i]!();
    },
  };
}

// Polls; gives up (a failure, not a hang until the test's timeout) when it never comes true.
const until = async (check: () => boolean, what = check.toString()) => {
  for (let i = 0; !check(); i++) {
    if (i > 2000) throw new Error(`never came true: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};
const settled = () => new Promise((r) => setTimeout(r, 20));

describe("FolderSyncs", () => {
  it("shares one fsync among the calls made before it started, and starts the next for calls made during it", async () => {
    const held = heldSyncs();
    const syncs = new FolderSyncs(held.syncFolder);
    const done: string[] = [];
    const a = syncs.sync("/d").then(() => done.push("a"));
    const b = syncs.sync("/d").then(() => done.push("b"));
    await until(() => held.started.length === 1);
    // Called (renamed) after the fsync in flight started: it may not ride on it.
    const c = syncs.sync("/d").then(() => done.push("c"));
    const d = syncs.sync("/d").then(() => done.push("d"));
    const other = syncs.sync("/e").then(() => done.push("e"));
    await settled();
    expect(held.started).toEqual(["/d", "/e"]);
    held.end(0);
    await Promise.all([a, b]);
    await until(() => held.started.length === 3);
    expect(held.started[2]).toBe("/d");
    await settled();
    expect(done.sort()).toEqual(["a", "b"]);
    held.end(2);
    await Promise.all([c, d]);
    expect(done.sort()).toEqual(["a", "b", "c", "d"]);
    held.end(1);
    await other;
    expect(syncs.stats).toEqual({ syncs: 3, waiters: 5 });
  });

  it("rejects every caller of a failed fsync, and the next calls get a new one", async () => {
    let fail = true;
    let calls = 0;
    const syncs = new FolderSyncs(async () => {
      calls++;
      if (fail) throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
    });
    const results = await Promise.allSettled([syncs.sync("/d"), syncs.sync("/d")]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await syncs.sync("/d");
    expect(calls).toBe(2);
  });
});

describe("FsBlobStore: a small durable put waits for a shared folder fsync", () => {
  it("50 overwrites into one folder: one fsync in flight, one shared by the 49 renamed during it", async () => {
    const held = heldSyncs();
    const store = new FsBlobStore(dir, { syncFolder: held.syncFolder });
    const folder = join(store.root, "jobs");
    // The folder exists first (its own put), so every later put only renames into it.
    const first = store.put("jobs/j0", "v0", { contentType: "application/json" });
    await until(() => held.started.length > 0);
    expect(held.started).toEqual([folder, store.root]);
    held.end(0);
    held.end(1);
    await first;

    const resolved = new Set<number>();
    const keys = Array.from({ length: 50 }, (_, i) => `jobs/j${i}`);
    const puts = keys.map((key, i) =>
      store
        .put(key, `{"n":${i},"pad":"${"x".repeat(i * 100)}"}`, { contentType: "application/json" })
        .then(() => resolved.add(i)),
    );
    // The first rename's fsync starts and is held; every other put renames while it is in flight.
    await until(() => held.started.length === 3);
    await until(
      () => readdirSync(folder).length === 50 && readdirSync(join(store.root, ".tmp")).length === 0,
    );
    await settled();
    expect(resolved.size).toBe(0);
    held.end(2);
    // The puts renamed after the second fsync started wait for a third, and none resolves before it ends.
    await until(() => held.started.length === 4);
    await settled();
    const beforeThird = resolved.size;
    expect(beforeThird).toBeLessThan(50);
    expect(beforeThird).toBeGreaterThan(0);
    held.end(3);
    await Promise.all(puts);
    expect(held.started).toHaveLength(4);
    expect(held.started.slice(2)).toEqual([folder, folder]);
    for (const [i, key] of keys.entries()) expect(await readBlobText(store, key)).toContain(`"n":${i},`);
  });
});

describe("FsBlobStore: a put into a folder another put just made", () => {
  it("waits until that folder's own entry is durable, not only its own rename", async () => {
    const held = heldSyncs();
    const store = new FsBlobStore(dir, { syncFolder: held.syncFolder });
    const made = join(store.root, "artifacts", "j1");
    const endAll = (folder: string) => {
      for (const [i, f] of held.started.entries()) if (f === folder) held.end(i);
    };
    const done: string[] = [];
    // A makes artifacts/ and artifacts/j1/ (new folders), B renames into artifacts/j1/ right after.
    const a = store
      .put("artifacts/j1/firmware.hex", ":00000001FF\n", { contentType: "text/plain" })
      .then(() => done.push("a"));
    await until(() => held.started.includes(made));
    const b = store
      .put("artifacts/j1/source.zip", new Uint8Array([80, 75, 5, 6]), { contentType: "application/zip" })
      .then(() => done.push("b"));
    await until(() => held.started.filter((f) => f === made).length >= 1 && readdirSync(made).length === 2);
    // Every sync of artifacts/j1/ ends (B's rename is durable in it) while the syncs that make artifacts/j1/
    // and artifacts/ themselves reachable are still held: B must not resolve.
    for (let i = 0; i < 3; i++) {
      endAll(made);
      await settled();
    }
    expect(done).toEqual([]);
    endAll(join(store.root, "artifacts"));
    endAll(store.root);
    // Whatever started meanwhile (the second sync of a folder) ends too.
    for (let i = 0; i < 3; i++) {
      for (const f of new Set(held.started)) endAll(f);
      await settled();
    }
    await Promise.all([a, b]);
    expect(done.sort()).toEqual(["a", "b"]);
  });
});
