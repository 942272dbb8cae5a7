import { sha256Hex } from "../../bytes/sha256-hex.ts";
import { UnavailableError } from "../../jobs/errors.ts";
import {
  type BlobBody,
  type BlobHead,
  type BlobStore,
  DigestMismatchError,
  type PutOptions,
} from "../../ports/blob-store.ts";

function headOf(object: R2Object): BlobHead {
  return {
    size: object.size,
    contentType: object.httpMetadata?.contentType ?? null,
    sha256: object.customMetadata?.sha256 ?? null,
  };
}

// R2 through its Worker binding. R2 checks the `sha256` put option itself and refuses the object on a mismatch;
// bytes put without a digest get one computed here, so R2 checks every record too. A put R2 refuses for any
// other reason (quota, an outage) is an UnavailableError: 503, retried, never a 500 after acceptance.
export class R2BlobStore implements BlobStore {
  readonly #bucket: R2Bucket;

  constructor(bucket: R2Bucket) {
    this.#bucket = bucket;
  }

  async get(key: string) {
    const object = await this.#bucket.get(key);
    if (!object) return null;
    return { ...headOf(object), body: object.body };
  }

  async head(key: string) {
    const object = await this.#bucket.head(key);
    return object ? headOf(object) : null;
  }

  async put(key: string, body: BlobBody, options: PutOptions): Promise<BlobHead> {
    // R2 needs a stream's length up front; FixedLengthStream declares it (and fails on any other byte count).
    let value: ReadableStream | Uint8Array | string;
    if (body instanceof ReadableStream) {
      value =
        options.size === undefined
          ? new Uint8Array(await new Response(body).arrayBuffer())
          : body.pipeThrough(new FixedLengthStream(options.size));
    } else {
      value = body;
    }
    const sha256 =
      options.sha256 ??
      (typeof value === "string" || value instanceof Uint8Array ? await sha256Hex(value) : null);
    try {
      const object = await this.#bucket.put(key, value, {
        httpMetadata: { contentType: options.contentType },
        ...(sha256 ? { sha256, customMetadata: { sha256 } } : {}),
      });
      return headOf(object);
    } catch (err) {
      if (sha256 && /sha-?256|checksum|digest/i.test(String((err as Error)?.message))) {
        throw new DigestMismatchError(sha256, null);
      }
      throw new UnavailableError(`R2 refused ${key}: ${(err as Error)?.message ?? err}`, { cause: err });
    }
  }

  async delete(key: string) {
    await this.#bucket.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#bucket.list({ prefix, delimiter: "/", ...(cursor ? { cursor } : {}) });
      for (const object of page.objects) keys.push(object.key);
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return keys;
  }
}
