import { decodeCountedJson } from "@qmk-edge/keymap";
import { concatBytes } from "../bytes/concat-bytes.ts";
import { BodyTooLargeError, MalformedRequestError, UnsupportedMediaTypeError } from "./request-errors.ts";

// The declared length, or null when the request has none (chunked). A malformed value is the client's error.
export function declaredLength(request: Request): number | null {
  const value = request.headers.get("content-length");
  if (value === null) return null;
  if (!/^\d{1,15}$/.test(value.trim())) {
    throw new MalformedRequestError("Content-Length is not a number", [
      { path: "content-length", message: "not a number" },
    ]);
  }
  return Number(value.trim());
}

// A runtime's cheaper way to a request's body than its web stream, set on the request by the entry point
// (node/incoming-body.ts). It keeps readBodyBytes' rule (bytes counted as they arrive, refused with
// tooLarge() once past maxBytes) and answers null when it cannot read the body, which then comes through
// the web stream as before.
export const DIRECT_BODY: unique symbol = Symbol("qmk-edge.directBody");
export type DirectBodyReader = (maxBytes: number, tooLarge: () => Error) => Promise<Uint8Array> | null;

// Reads the whole body, refusing it once it passes maxBytes: the Content-Length is checked first, and the
// bytes are counted as they arrive, so a missing or lying Content-Length cannot get past the limit.
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = declaredLength(request);
  const tooLarge = () => new BodyTooLargeError(`request body exceeds the limit of ${maxBytes} bytes`);
  if (declared !== null && declared > maxBytes) throw tooLarge();
  const direct = (request as { [DIRECT_BODY]?: DirectBodyReader })[DIRECT_BODY]?.(maxBytes, tooLarge);
  if (direct) return await direct;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return concatBytes(chunks, total);
}

// application/json or any +json type, with or without parameters (charset).
export function requireJsonContentType(request: Request): void {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    throw new UnsupportedMediaTypeError(
      `expected Content-Type: application/json, got ${type === "" ? "none" : JSON.stringify(type.slice(0, 100))}`,
    );
  }
}

// The one JSON body reader of every JSON route: content type (415), size (413, counted as the bytes arrive),
// then packages/keymap's decodeCountedJson for UTF-8, emptiness, depth and syntax (400). The bytes come
// along for routes that address the body by its digest (catalogue publish).
export async function readJsonBodyBytes(
  request: Request,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; value: unknown }> {
  const bytes = await readJsonBodyUndecoded(request, maxBytes);
  return { bytes, value: decodeJsonBody(bytes) };
}

export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  return (await readJsonBodyBytes(request, maxBytes)).value;
}

// readJsonBodyBytes in two steps, for a route that may know the bytes already (POST /v1/compile): the
// content type and size checks and the bytes ...
export async function readJsonBodyUndecoded(request: Request, maxBytes: number): Promise<Uint8Array> {
  requireJsonContentType(request);
  return await readBodyBytes(request, maxBytes);
}

// ... then the JSON they hold (400 when they are not JSON).
export function decodeJsonBody(bytes: Uint8Array): unknown {
  const json = decodeCountedJson(bytes);
  if (!json.ok) throw new MalformedRequestError(json.message, [{ path: "", message: json.message }]);
  return json.value;
}
