// BlobStore over any S3-compatible API (AWS S3, R2's S3 endpoint, MinIO, Ceph RGW) with aws4fetch's SigV4.
// - Uploads stream with Content-Length and `x-amz-content-sha256` set to the caller's digest, so the server
//   hashes the payload itself and refuses a mismatch (BadDigest / XAmzContentSHA256Mismatch ->
//   DigestMismatchError). Without a digest the stream goes as UNSIGNED-PAYLOAD. The digest is also kept as
//   `x-amz-meta-sha256`, which head/get report.
// - A stream of unknown size is buffered up to maxBytes (S3 refuses a PUT without Content-Length).
// - Network failures and 5xx answers become UnavailableError (503: the agent retries); idempotent requests
//   (GET, HEAD, DELETE, PUT of bytes) are retried a few times first.
import { AwsClient } from "aws4fetch";
import { sha256Hex } from "../../bytes/sha256-hex.ts";
import {
  type BlobBody,
  type BlobHead,
  type BlobObject,
  BlobSizeError,
  type BlobStore,
  DigestMismatchError,
  type PutOptions,
} from "../../ports/blob-store.ts";
import { collectBytes, isBytes, toBytes } from "./blob-body.ts";
import {
  DIGEST_CODES,
  encodeSegment,
  headOf,
  S3Error,
  type SendInit,
  s3Failure,
  signedFetch,
  xmlText,
} from "./s3-wire.ts";

export interface S3BlobStoreConfig {
  // Scheme + host (+ port) of the S3 API, e.g. https://s3.eu-west-1.amazonaws.com,
  // https://<account>.r2.cloudflarestorage.com, http://127.0.0.1:9000.
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  // true: <endpoint>/<bucket>/<key>. false: virtual-host style, <bucket>.<endpoint host>/<key>.
  forcePathStyle: boolean;
  // Prepended to every key, for sharing a bucket ("qmk-edge/").
  prefix?: string;
  maxBytes?: number;
  // Attempts for idempotent requests on network errors, 5xx and 429.
  attempts?: number;
  // Transport; tests pass one that reaches a virtual-host name on 127.0.0.1.
  fetch?: (request: Request) => Promise<Response>;
}

export interface S3BlobObject extends BlobObject {
  etag: string | null;
}

export type ConditionalGet = S3BlobObject | "not-modified" | null;

export class S3BlobStore implements BlobStore {
  private readonly client: AwsClient;
  private readonly config: S3BlobStoreConfig;
  private readonly base: URL;
  private readonly transport: (request: Request) => Promise<Response>;
  readonly maxBytes: number;

  constructor(config: S3BlobStoreConfig) {
    this.config = config;
    this.client = new AwsClient({
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      region: config.region,
      service: "s3",
      retries: 0,
    });
    this.base = new URL(config.endpoint);
    if (!config.forcePathStyle) this.base.host = `${config.bucket}.${this.base.host}`;
    this.transport = config.fetch ?? ((request) => fetch(request));
    this.maxBytes = config.maxBytes ?? 512 * 1024 * 1024;
  }

  // The object's URL, unsigned. Each key segment is percent-encoded (RFC 3986), slashes kept.
  urlOf(key: string): URL {
    if (key.length === 0) throw new Error("empty blob key");
    const path = `${this.config.prefix ?? ""}${key}`.split("/").map(encodeSegment).join("/");
    const url = new URL(this.base);
    const basePath = url.pathname.replace(/\/+$/, "");
    url.pathname = this.config.forcePathStyle
      ? `${basePath}/${encodeSegment(this.config.bucket)}/${path}`
      : `${basePath}/${path}`;
    return url;
  }

  async get(key: string): Promise<S3BlobObject | null> {
    const result = await this.getIfNoneMatch(key, null);
    return result === "not-modified" ? null : result;
  }

  // Conditional GET on the store's ETag: "not-modified" when it still matches (304).
  async getIfNoneMatch(key: string, etag: string | null): Promise<ConditionalGet> {
    const headers: Record<string, string> = etag ? { "if-none-match": etag } : {};
    const res = await this.send(key, { method: "GET", headers }, true);
    if (res.status === 304) {
      await res.body?.cancel();
      return "not-modified";
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok || !res.body) throw await s3Failure(res, `GET ${key}`);
    return { ...headOf(res), etag: res.headers.get("etag"), body: res.body };
  }

  async head(key: string): Promise<BlobHead | null> {
    const res = await this.send(key, { method: "HEAD" }, true);
    await res.body?.cancel();
    if (res.status === 404) return null;
    if (!res.ok) throw await s3Failure(res, `HEAD ${key}`);
    return headOf(res);
  }

  async put(key: string, body: BlobBody, options: PutOptions): Promise<BlobHead> {
    const limit = Math.min(options.size ?? this.maxBytes, this.maxBytes);
    if (isBytes(body) || options.size === undefined) {
      const bytes = isBytes(body) ? toBytes(body) : await collectBytes(body, limit, key);
      if (options.size !== undefined && bytes.byteLength !== options.size) {
        throw new BlobSizeError(`blob ${key} has ${bytes.byteLength} bytes, ${options.size} were declared`);
      }
      if (bytes.byteLength > limit) throw new BlobSizeError(`blob ${key} is larger than ${limit} bytes`);
      const sha256 = await sha256Hex(bytes);
      if (options.sha256 !== undefined && options.sha256 !== sha256) {
        throw new DigestMismatchError(options.sha256, sha256);
      }
      await this.putRequest(key, bytes, bytes.byteLength, sha256, options.contentType, true);
      return { size: bytes.byteLength, contentType: options.contentType, sha256 };
    }
    const size = options.size;
    let seen = 0;
    let ended = false;
    const counted = (body as ReadableStream<Uint8Array>).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > size) controller.error(new BlobSizeError(`blob ${key} is larger than ${size} bytes`));
          else controller.enqueue(chunk);
        },
        flush() {
          ended = true;
        },
      }),
    );
    try {
      await this.putRequest(key, counted, size, options.sha256 ?? null, options.contentType, false);
    } catch (err) {
      if (seen > size || (ended && seen !== size)) {
        throw new BlobSizeError(`blob ${key} has ${seen}${ended ? "" : "+"} bytes, ${size} were declared`);
      }
      throw err;
    }
    return { size, contentType: options.contentType, sha256: options.sha256 ?? null };
  }

  async delete(key: string): Promise<void> {
    const res = await this.send(key, { method: "DELETE" }, true);
    await res.body?.cancel();
    if (!res.ok && res.status !== 404) throw await s3Failure(res, `DELETE ${key}`);
  }

  // ListObjectsV2 with a delimiter, page by page. Our keys are plain ASCII, so <Key> needs no entity decoding
  // beyond the five XML ones.
  async list(prefix: string): Promise<string[]> {
    const own = this.config.prefix ?? "";
    const keys: string[] = [];
    let token: string | null = null;
    do {
      const url = new URL(this.base);
      const basePath = url.pathname.replace(/\/+$/, "");
      url.pathname = this.config.forcePathStyle
        ? `${basePath}/${encodeSegment(this.config.bucket)}/`
        : `${basePath}/`;
      url.searchParams.set("list-type", "2");
      url.searchParams.set("prefix", `${own}${prefix}`);
      url.searchParams.set("delimiter", "/");
      if (token) url.searchParams.set("continuation-token", token);
      const res = await this.send(url, { method: "GET" }, true);
      if (!res.ok) throw await s3Failure(res, `LIST ${prefix}`);
      const xml = await res.text();
      for (const [, key] of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(xmlText(key!).slice(own.length));
      const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
      token = truncated ? xmlText(/<NextContinuationToken>([^<]*)</.exec(xml)?.[1] ?? "") || null : null;
    } while (token);
    return keys;
  }

  // A GET URL anyone can use until it expires (downloads straight from the bucket, no API in the path).
  async presignGet(
    key: string,
    options: { expiresInSeconds: number; filename?: string; contentType?: string },
  ): Promise<string> {
    const url = this.urlOf(key);
    url.searchParams.set("X-Amz-Expires", String(options.expiresInSeconds));
    if (options.filename) {
      url.searchParams.set("response-content-disposition", `attachment; filename="${options.filename}"`);
    }
    if (options.contentType) url.searchParams.set("response-content-type", options.contentType);
    const signed = await this.client.sign(url.toString(), { method: "GET", aws: { signQuery: true } });
    return signed.url;
  }

  private async putRequest(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    size: number,
    sha256: string | null,
    contentType: string,
    retry: boolean,
  ): Promise<void> {
    const headers: Record<string, string> = {
      "content-type": contentType,
      "content-length": String(size),
      "x-amz-content-sha256": sha256 ?? "UNSIGNED-PAYLOAD",
    };
    if (sha256) headers["x-amz-meta-sha256"] = sha256;
    const res = await this.send(key, { method: "PUT", headers, body }, retry);
    if (res.ok) {
      await res.body?.cancel();
      return;
    }
    const err = await s3Failure(res, `PUT ${key}`);
    if (err instanceof S3Error && err.code && DIGEST_CODES.has(err.code) && sha256) {
      throw new DigestMismatchError(sha256, null);
    }
    throw err;
  }

  private async send(target: string | URL, init: SendInit, retry: boolean): Promise<Response> {
    const attempts = retry ? (this.config.attempts ?? 3) : 1;
    const url = () => (typeof target === "string" ? this.urlOf(target) : target);
    return await signedFetch({ client: this.client, transport: this.transport }, url, init, {
      attempts,
      label: String(target),
    });
  }
}
