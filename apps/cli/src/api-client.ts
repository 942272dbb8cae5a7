import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  type CompileEnqueued,
  type CompileStatus,
  compileEnqueued,
  compileStatus,
  type ErrorBody,
  errorBody,
} from "@qmk-edge/schema";

export const DEFAULT_API = process.env.QMK_EDGE_API ?? "http://127.0.0.1:8787";

// An answer the API gave on purpose: its status and JSON error body, shown to the user as is.
export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody | null;
  constructor(status: number, body: ErrorBody | null, fallback: string) {
    super(body?.message ?? fallback);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  let body: ErrorBody | null = null;
  try {
    body = errorBody.parse(JSON.parse(text));
  } catch {}
  return new ApiError(res.status, body, `HTTP ${res.status} ${res.statusText}`);
}

export type Downloaded = { path: string; sha256: string; size: number };

// The CLI's one HTTP client for the public v1 routes.
export class CompileApi {
  readonly base: string;
  constructor(base: string) {
    this.base = base.replace(/\/+$/, "");
  }

  async submit(body: Uint8Array): Promise<CompileEnqueued> {
    const res = await fetch(`${this.base}/v1/compile`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    if (!res.ok) throw await failure(res);
    return compileEnqueued.parse(await res.json());
  }

  async status(id: string): Promise<CompileStatus> {
    const res = await fetch(`${this.base}/v1/compile/${encodeURIComponent(id)}`);
    if (!res.ok) throw await failure(res);
    return compileStatus.parse(await res.json());
  }

  // Streams to DIR/<name>.part, checks the sha256 against the strong ETag, then renames into place.
  async download(url: string, dir: string, fallbackName: string): Promise<Downloaded> {
    const res = await fetch(url);
    if (!res.ok || !res.body) throw await failure(res);
    const disposition = res.headers.get("content-disposition") ?? "";
    const name = /filename="?([A-Za-z0-9._-]+)"?/.exec(disposition)?.[1] ?? fallbackName;
    const etag = (res.headers.get("etag") ?? "").replaceAll('"', "");
    await mkdir(dir, { recursive: true });
    const path = join(dir, name);
    const partial = `${path}.part`;
    const hash = createHash("sha256");
    let size = 0;
    const source = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>);
    source.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.byteLength;
    });
    await pipeline(source, createWriteStream(partial));
    const sha256 = hash.digest("hex");
    if (/^[0-9a-f]{64}$/.test(etag) && etag !== sha256) {
      await rm(partial, { force: true });
      throw new Error(`download of ${name} is corrupt: sha256 ${sha256}, the API announced ${etag}`);
    }
    await rename(partial, path);
    return { path, sha256, size };
  }
}
