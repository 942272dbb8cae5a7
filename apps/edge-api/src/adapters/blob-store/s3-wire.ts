// S3's side of the wire, apart from signing: its error answers, its response heads, its XML and key encoding.
import type { AwsClient } from "aws4fetch";
import { UnavailableError } from "../../jobs/errors.ts";
import type { BlobHead } from "../../ports/blob-store.ts";

// A refusal by the store (credentials, bucket, signature) is the service's fault, never the client's: as an
// UnavailableError it becomes a 503 that callers may retry, not a 500. node/main.ts stops at start on one.
export class S3Error extends UnavailableError {
  override name = "S3Error";
  readonly status: number;
  readonly code: string | null;
  constructor(message: string, status: number, code: string | null) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// The codes with which S3 refuses a payload that does not match its x-amz-content-sha256.
export const DIGEST_CODES = new Set(["BadDigest", "XAmzContentSHA256Mismatch"]);

// The error an answer that is not ok stands for: 5xx and 429 are worth a retry later, the rest are S3Errors.
export async function s3Failure(res: Response, what: string): Promise<Error> {
  const text = await res.text().catch(() => "");
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? null;
  const message = `S3 ${what}: HTTP ${res.status}${code ? ` ${code}` : ""}`;
  if (res.status >= 500 || res.status === 429) return new UnavailableError(message);
  return new S3Error(message, res.status, code);
}

export function headOf(res: Response): BlobHead {
  const sha256 = res.headers.get("x-amz-meta-sha256");
  return {
    size: Number(res.headers.get("content-length") ?? 0),
    contentType: res.headers.get("content-type"),
    sha256: sha256 && /^[0-9a-f]{64}$/.test(sha256) ? sha256 : null,
  };
}

export function xmlText(text: string): string {
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => entities[name]!);
}

export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export interface SendInit {
  method: string;
  headers?: Record<string, string>;
  body?: Uint8Array | ReadableStream<Uint8Array>;
}

// One signed request, tried up to `attempts` times while the network fails or S3 answers 5xx/429 (with a
// growing pause); what is left after the last try is an UnavailableError naming `label`.
export async function signedFetch(
  via: { client: AwsClient; transport: (request: Request) => Promise<Response> },
  url: () => URL,
  init: SendInit,
  options: { attempts: number; label: string },
): Promise<Response> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, 50 * 4 ** (attempt - 2)));
    try {
      const request = await via.client.sign(url().toString(), {
        method: init.method,
        headers: init.headers,
        body: init.body,
        ...(init.body instanceof ReadableStream ? { duplex: "half" } : {}),
      } as RequestInit);
      const res = await via.transport(request);
      if ((res.status >= 500 || res.status === 429) && attempt < options.attempts) {
        await res.body?.cancel();
        continue;
      }
      return res;
    } catch (err) {
      lastError = err;
    }
  }
  const reason = lastError instanceof Error ? (lastError.cause ?? lastError).toString() : String(lastError);
  throw new UnavailableError(`S3 ${init.method} ${options.label} failed: ${reason}`);
}
