import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsBlobStore, InvalidBlobKeyError } from "../src/adapters/blob-store/fs.ts";
import { BlobSizeError, DigestMismatchError } from "../src/ports/blob-store.ts";

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");
const text = (body: ReadableStream<Uint8Array>) => new Response(body).text();

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

let dir: string;
let store: FsBlobStore;

beforeEach(() => {
  // In a private parent: the hostile-key tests compare what lies beside the store before and after, and the
  // shared tmp dir changes all the time on a busy machine (they failed so, issue 19).
  dir = join(mkdtempSync(join(tmpdir(), "qmk-edge-fs-store-")), "store");
  mkdirSync(dir);
  store = new FsBlobStore(dir);
});
afterEach(() => rmSync(dirname(dir), { recursive: true, force: true }));

const tempFiles = () => readdirSync(join(dir, ".tmp"));

describe("FsBlobStore: happy path", () => {
  it("lists the keys directly under a folder", async () => {
    for (const key of ["producers/t1/a", "producers/t1/b", "producers/t1/deeper/c", "producers/t10/d"]) {
      await store.put(key, "", { contentType: "text/plain" });
    }
    expect((await store.list("producers/t1/")).sort()).toEqual(["producers/t1/a", "producers/t1/b"]);
    expect(await store.list("producers/none/")).toEqual([]);
    await expect(store.list("producers/t1")).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.list("../")).rejects.toBeInstanceOf(InvalidBlobKeyError);
  });

  it("stores, reads, heads and deletes an object with its metadata", async () => {
    const head = await store.put("jobs/abc.json", '{"a":1}', { contentType: "application/json" });
    expect(head).toEqual({ size: 7, contentType: "application/json", sha256: sha256('{"a":1}') });
    expect(await store.head("jobs/abc.json")).toEqual(head);
    const got = await store.get("jobs/abc.json");
    expect(got?.contentType).toBe("application/json");
    expect(got?.sha256).toBe(sha256('{"a":1}'));
    expect(await text(got!.body)).toBe('{"a":1}');
    await store.delete("jobs/abc.json");
    expect(await store.get("jobs/abc.json")).toBeNull();
    expect(await store.head("jobs/abc.json")).toBeNull();
    await store.delete("jobs/abc.json"); // deleting twice is fine
  });

  it("streams a multi-chunk body in, verifying the announced digest and size", async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => new Uint8Array(64 * 1024).fill(i));
    const whole = Buffer.concat(chunks);
    const digest = sha256(whole);
    const head = await store.put("artifacts/big", streamOf([...chunks]), {
      contentType: "application/octet-stream",
      sha256: digest,
      size: whole.byteLength,
    });
    expect(head.size).toBe(whole.byteLength);
    const got = await store.get("artifacts/big");
    const back = Buffer.from(await new Response(got!.body).arrayBuffer());
    expect(sha256(back)).toBe(digest);
    expect(tempFiles()).toEqual([]);
  });

  it("replaces an object atomically: concurrent readers see the old or the new bytes, never a mix", async () => {
    const a = "A".repeat(256 * 1024);
    const b = "B".repeat(256 * 1024);
    await store.put("jobs/x.json", a, { contentType: "text/plain" });
    const reads: Promise<string>[] = [];
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push(store.put("jobs/x.json", i % 2 ? a : b, { contentType: "text/plain" }));
      reads.push(store.get("jobs/x.json").then((o) => text(o!.body)));
    }
    await Promise.all(writes);
    for (const body of await Promise.all(reads)) expect(body === a || body === b).toBe(true);
    expect(tempFiles()).toEqual([]);
  });
});

describe("FsBlobStore: errors", () => {
  it("refuses bytes that do not match the announced sha256 and publishes nothing", async () => {
    await store.put("artifacts/k", "old", { contentType: "text/plain" });
    const wrong = sha256("something else");
    await expect(
      store.put("artifacts/k", streamOf([Buffer.from("new bytes")]), {
        contentType: "text/plain",
        sha256: wrong,
      }),
    ).rejects.toBeInstanceOf(DigestMismatchError);
    expect(await text((await store.get("artifacts/k"))!.body)).toBe("old");
    expect(tempFiles()).toEqual([]);
  });

  it("refuses a body longer or shorter than its declared size", async () => {
    await expect(
      store.put("a/long", streamOf([new Uint8Array(10), new Uint8Array(10)]), {
        contentType: "x/y",
        size: 15,
      }),
    ).rejects.toBeInstanceOf(BlobSizeError);
    await expect(
      store.put("a/short", new Uint8Array(5), { contentType: "x/y", size: 15 }),
    ).rejects.toBeInstanceOf(BlobSizeError);
    expect(await store.head("a/long")).toBeNull();
    expect(await store.head("a/short")).toBeNull();
    expect(tempFiles()).toEqual([]);
  });

  it("refuses a body beyond the store's limit", async () => {
    const small = new FsBlobStore(dir, { maxBytes: 100 });
    await expect(small.put("a/b", new Uint8Array(101), { contentType: "x/y" })).rejects.toBeInstanceOf(
      BlobSizeError,
    );
  });

  it("cleans up when the incoming stream fails midway", async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(100));
        controller.error(new Error("client went away"));
      },
    });
    await expect(store.put("a/b", failing, { contentType: "x/y" })).rejects.toThrow("client went away");
    expect(await store.head("a/b")).toBeNull();
    expect(tempFiles()).toEqual([]);
  });
});

describe("FsBlobStore: hostile keys", () => {
  const outside = () => readdirSync(join(dir, ".."));

  it.each([
    "../escape",
    "a/../../escape",
    "/etc/passwd",
    "a//b",
    "",
    ".",
    "..",
    ".tmp/x",
    "a/./b",
    "a\\..\\b",
    "a\u0000b",
    "jobs/%2e%2e",
    `${"a".repeat(300)}`,
  ])("refuses key %j before touching the disk", async (key) => {
    const before = outside();
    await expect(store.put(key, "x", { contentType: "text/plain" })).rejects.toBeInstanceOf(
      InvalidBlobKeyError,
    );
    await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.head(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    expect(outside()).toEqual(before);
  });

  it("never reads a file planted outside the store through a key", async () => {
    const secret = join(dir, "..", `secret-${Date.now()}`);
    writeFileSync(secret, "top secret");
    try {
      await expect(store.get(`../${secret.split("/").at(-1)}`)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      expect(readFileSync(secret, "utf8")).toBe("top secret");
    } finally {
      rmSync(secret, { force: true });
    }
  });
});
