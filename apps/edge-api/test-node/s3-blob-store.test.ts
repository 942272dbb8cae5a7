// S3BlobStore against the Ceph S3 gateway, which checks every SigV4 signature and payload digest itself:
// a signing or hashing bug in the adapter fails here, as it would against AWS S3, R2 or MinIO.
import { createHash } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { S3BlobStore, type S3BlobStoreConfig } from "../src/adapters/blob-store/s3.ts";
import { S3Error } from "../src/adapters/blob-store/s3-wire.ts";
import { UnavailableError } from "../src/jobs/errors.ts";
import { newId } from "../src/jobs/job-id.ts";
import { BlobSizeError, DigestMismatchError } from "../src/ports/blob-store.ts";
import { httpTransport } from "../test-support/http-fetch.ts";

const s3 = inject("s3");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");
const text = (body: ReadableStream<Uint8Array>) => new Response(body).text();

function storeWith(overrides: Partial<S3BlobStoreConfig> = {}): S3BlobStore {
  return new S3BlobStore({
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
    prefix: `s3-test-${newId().slice(0, 8)}/`,
    ...overrides,
  });
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

describe("S3BlobStore: happy path (path-style)", () => {
  const store = storeWith();

  it("puts, gets, heads and deletes an object, keeping its sha256 as metadata", async () => {
    const body = '{"hello":"world"}';
    const head = await store.put("jobs/one.json", body, { contentType: "application/json" });
    expect(head).toEqual({ size: body.length, contentType: "application/json", sha256: sha256(body) });
    expect(await store.head("jobs/one.json")).toEqual(head);
    const got = await store.get("jobs/one.json");
    expect(got).not.toBeNull();
    expect(got?.sha256).toBe(sha256(body));
    expect(got?.contentType).toBe("application/json");
    expect(got?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await text(got!.body)).toBe(body);
    await store.delete("jobs/one.json");
    expect(await store.get("jobs/one.json")).toBeNull();
    expect(await store.head("jobs/one.json")).toBeNull();
    await store.delete("jobs/one.json");
  });

  it("lists the keys directly under a folder, page after page, within its own prefix only", async () => {
    const other = storeWith();
    await other.put("producers/t1/not-mine", "", { contentType: "text/plain" });
    const keys = Array.from({ length: 1005 }, (_, i) => `producers/t1/${String(i).padStart(4, "0")}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, "", { contentType: "text/plain" })));
    }
    await store.put("producers/t1/deeper/x", "", { contentType: "text/plain" });
    await store.put("producers/t10/y", "", { contentType: "text/plain" });
    expect((await store.list("producers/t1/")).sort()).toEqual(keys);
    expect(await store.list("producers/none/")).toEqual([]);
    expect(await store.list("producers/t10/")).toEqual(["producers/t10/y"]);
  });

  it("streams a 6 MiB upload in chunks with the digest the server verifies, and streams it back", async () => {
    const chunks = Array.from({ length: 96 }, (_, i) => new Uint8Array(64 * 1024).fill(i));
    const whole = Buffer.concat(chunks);
    const digest = sha256(whole);
    await store.put("artifacts/big", streamOf([...chunks]), {
      contentType: "application/octet-stream",
      sha256: digest,
      size: whole.byteLength,
    });
    const got = await store.get("artifacts/big");
    expect(got?.size).toBe(whole.byteLength);
    expect(got?.sha256).toBe(digest);
    const hash = createHash("sha256");
    for await (const chunk of got!.body) hash.update(chunk);
    expect(hash.digest("hex")).toBe(digest);
  });

  it("streams without a digest as UNSIGNED-PAYLOAD, and buffers a stream of unknown size", async () => {
    await store.put("a/unsigned", streamOf([Buffer.from("abc"), Buffer.from("def")]), {
      contentType: "text/plain",
      size: 6,
    });
    expect(await text((await store.get("a/unsigned"))!.body)).toBe("abcdef");
    const head = await store.put("a/unknown-size", streamOf([Buffer.from("xyz")]), {
      contentType: "text/plain",
    });
    expect(head.sha256).toBe(sha256("xyz"));
    expect((await store.head("a/unknown-size"))?.sha256).toBe(sha256("xyz"));
  });

  it("round-trips keys that need percent-encoding in the signed path", async () => {
    for (const key of ["odd/sp ace+plus=eq", "odd/ünï©ødé", "odd/(paren)!*'", "odd/a~b_c-d.e"]) {
      await store.put(key, key, { contentType: "text/plain" });
      expect(await text((await store.get(key))!.body)).toBe(key);
    }
  });

  it("answers a conditional GET with not-modified while the ETag matches", async () => {
    await store.put("c/etag", "v1", { contentType: "text/plain" });
    const first = await store.getIfNoneMatch("c/etag", null);
    if (!first || first === "not-modified") throw new Error("expected the object");
    await first.body.cancel();
    expect(await store.getIfNoneMatch("c/etag", first.etag)).toBe("not-modified");
    await store.put("c/etag", "v2", { contentType: "text/plain" });
    const second = await store.getIfNoneMatch("c/etag", first.etag);
    if (!second || second === "not-modified") throw new Error("expected the new object");
    expect(await text(second.body)).toBe("v2");
  });

  it("signs GET URLs that work without credentials, with the download filename", async () => {
    await store.put("p/firmware.hex", ":00000001FF\n", { contentType: "application/octet-stream" });
    const url = await store.presignGet("p/firmware.hex", { expiresInSeconds: 60, filename: "my_keymap.hex" });
    expect(url).toContain("X-Amz-Signature=");
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="my_keymap.hex"');
    expect(await res.text()).toBe(":00000001FF\n");
  });
});

describe("S3BlobStore: the server checks signatures and digests", () => {
  const store = storeWith();

  it("fails with DigestMismatchError when the streamed bytes do not match the digest, and stores nothing", async () => {
    const wrong = sha256("not these bytes");
    await expect(
      store.put("d/bad", streamOf([Buffer.from("these bytes")]), {
        contentType: "text/plain",
        sha256: wrong,
        size: 11,
      }),
    ).rejects.toBeInstanceOf(DigestMismatchError);
    expect(await store.head("d/bad")).toBeNull();
  });

  it("refuses bytes of known content before sending them when the digest is wrong", async () => {
    await expect(
      store.put("d/bad2", "these bytes", { contentType: "text/plain", sha256: sha256("other") }),
    ).rejects.toBeInstanceOf(DigestMismatchError);
    expect(await store.head("d/bad2")).toBeNull();
  });

  it("is refused by the server when signed with a wrong secret", async () => {
    const forged = storeWith({ secretAccessKey: `${s3.secretAccessKey}x` });
    const err = await forged.put("d/forged", "x", { contentType: "text/plain" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3Error);
    expect((err as S3Error).status).toBe(403);
    expect((err as S3Error).code).toBe("SignatureDoesNotMatch");
    await expect(forged.get("d/forged")).rejects.toBeInstanceOf(S3Error);
  });

  it("is refused for an unknown access key", async () => {
    const stranger = storeWith({ accessKeyId: "NOSUCHKEY000000000000" });
    const err = await stranger.head("d/anything").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3Error);
    expect((err as S3Error).status).toBe(403);
  });

  it("refuses a tampered presigned URL and one signed for a different object", async () => {
    await store.put("p/a", "A", { contentType: "text/plain" });
    await store.put("p/b", "B", { contentType: "text/plain" });
    const url = new URL(await store.presignGet("p/a", { expiresInSeconds: 60 }));
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace(/\/a$/, "/b");
    expect((await fetch(otherKey)).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set("X-Amz-Expires", "604800");
    expect((await fetch(longer)).status).toBe(403);
    const badSig = new URL(url);
    const sig = badSig.searchParams.get("X-Amz-Signature")!;
    badSig.searchParams.set("X-Amz-Signature", `${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`);
    expect((await fetch(badSig)).status).toBe(403);
    expect((await fetch(url)).status).toBe(200);
  });

  it("refuses an unsigned request to the bucket", async () => {
    const res = await fetch(store.urlOf("p/a"));
    expect(res.status).toBe(403);
  });

  it("refuses a stream longer than its declared size", async () => {
    const err = await store
      .put("d/long", streamOf([new Uint8Array(8), new Uint8Array(8)]), { contentType: "x/y", size: 10 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobSizeError);
  });

  it("reports an unreachable endpoint as UnavailableError (a 503 the agent retries)", async () => {
    const down = storeWith({ endpoint: "http://127.0.0.1:9", attempts: 2 });
    await expect(down.head("x")).rejects.toBeInstanceOf(UnavailableError);
    await expect(
      down.put("x", streamOf([Buffer.from("x")]), { contentType: "x/y", size: 1 }),
    ).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe("S3BlobStore: virtual-host style", () => {
  // The gateway serves <bucket>.<rgw dns name>; the transport connects those names to 127.0.0.1.
  const endpoint = `http://${s3.dnsName}:${new URL(s3.endpoint).port}`;
  const prefix = `s3-vhost-${newId().slice(0, 8)}/`;
  const store = storeWith({
    endpoint,
    prefix,
    forcePathStyle: false,
    fetch: httpTransport({ loopback: true }),
  });

  it("puts the bucket in the host name and the key alone in the path", () => {
    const url = store.urlOf("jobs/x y.json");
    expect(url.host).toBe(`${s3.bucket}.${s3.dnsName}:${new URL(s3.endpoint).port}`);
    expect(url.pathname).toBe(`/${prefix}jobs/x%20y.json`);
    const aws = new S3BlobStore({
      endpoint: "https://s3.eu-west-1.amazonaws.com",
      bucket: "my-bucket",
      region: "eu-west-1",
      accessKeyId: "a",
      secretAccessKey: "b",
      forcePathStyle: false,
    });
    expect(aws.urlOf("jobs/1.json").toString()).toBe(
      "https://my-bucket.s3.eu-west-1.amazonaws.com/jobs/1.json",
    );
    const pathStyle = new S3BlobStore({
      endpoint: "https://acct.r2.cloudflarestorage.com",
      bucket: "qmk",
      region: "auto",
      accessKeyId: "a",
      secretAccessKey: "b",
      forcePathStyle: true,
    });
    expect(pathStyle.urlOf("artifacts/ab").toString()).toBe(
      "https://acct.r2.cloudflarestorage.com/qmk/artifacts/ab",
    );
  });

  it("reads and writes through the virtual-host name, signed for that host", async () => {
    const digest = sha256("vhost bytes");
    await store.put("v/one", streamOf([Buffer.from("vhost bytes")]), {
      contentType: "text/plain",
      sha256: digest,
      size: 11,
    });
    const got = await store.get("v/one");
    expect(await text(got!.body)).toBe("vhost bytes");
    // The same object through path-style: both name the same bucket.
    const viaPath = storeWith({ prefix });
    expect((await viaPath.head("v/one"))?.sha256).toBe(digest);
    // A wrong secret is refused in this style too.
    const forged = storeWith({
      endpoint,
      forcePathStyle: false,
      fetch: httpTransport({ loopback: true }),
      secretAccessKey: "wrong",
    });
    await expect(forged.head("v/one")).rejects.toBeInstanceOf(S3Error);
  });
});
