import { decodeCountedJson } from "@qmk-edge/keymap";
import {
  CATALOGUE_LIMITS,
  CATALOGUE_OBJECT_CONTENT_TYPES,
  type CatalogueObjectPutResponse,
} from "@qmk-edge/schema";
import { sha256Hex } from "../bytes/sha256-hex.ts";
import { objectKey } from "../catalogue/store-keys.ts";
import { parseSha256Param } from "../catalogue/url-params.ts";
import { requireTrustedAgent } from "../http/agent-auth.ts";
import { declaredLength, readBodyBytes } from "../http/request-body.ts";
import {
  InvalidInputError,
  MalformedRequestError,
  UnsupportedMediaTypeError,
} from "../http/request-errors.ts";
import type { Route } from "../http/route.ts";

function contentTypeOf(header: string | undefined) {
  const type = (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const known = CATALOGUE_OBJECT_CONTENT_TYPES.find((t) => t === type);
  if (!known) {
    throw new UnsupportedMediaTypeError(
      `catalogue objects are ${CATALOGUE_OBJECT_CONTENT_TYPES.join(" or ")}, got ${type === "" ? "none" : JSON.stringify(type.slice(0, 100))}`,
    );
  }
  return known;
}

// Objects are served as they are stored (info.json is spliced into its answer as text), so they must be
// UTF-8, and JSON ones must parse.
function checkText(bytes: Uint8Array, type: string): void {
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InvalidInputError("catalogue objects are UTF-8 text", [{ path: "", message: "not UTF-8" }]);
  }
  if (type !== "application/json") return;
  const json = decodeCountedJson(bytes);
  if (!json.ok) {
    throw new InvalidInputError("a JSON catalogue object must be valid JSON", [
      { path: "", message: json.message },
    ]);
  }
}

// PUT /v1/agent/catalogue/objects/:sha256: one content-addressed object (info, readme, default keymap,
// keycodes). The bytes are checked against the digest in the URL; an object already stored is not rewritten.
export const v1AgentCatalogueObjectPut: Route = {
  method: "PUT",
  path: "/v1/agent/catalogue/objects/:sha256",
  handler: async (c) => {
    requireTrustedAgent(c.get("agent"), "uploading the keyboard catalogue");
    const { blobs } = c.get("deps");
    const sha256 = parseSha256Param(c.req.param("sha256"));
    const contentType = contentTypeOf(c.req.header("content-type"));
    const declared = declaredLength(c.req.raw);
    if (declared === null) {
      throw new InvalidInputError("catalogue objects are uploaded with a known length", [
        { path: "content-length", message: "required: send the object's exact size in bytes" },
      ]);
    }
    const bytes = await readBodyBytes(c.req.raw, CATALOGUE_LIMITS.objectBytes);
    if (bytes.byteLength !== declared) {
      throw new MalformedRequestError(`body ended after ${bytes.byteLength} of ${declared} announced bytes`);
    }
    const actual = await sha256Hex(bytes);
    if (actual !== sha256) {
      throw new InvalidInputError("the uploaded bytes do not match the sha256 in the URL", [
        { path: "sha256", message: `the body's sha256 is ${actual}` },
      ]);
    }
    checkText(bytes, contentType);

    const key = objectKey(sha256);
    const stored = (await blobs.head(key)) === null;
    if (stored) await blobs.put(key, bytes, { contentType, sha256, size: bytes.byteLength });
    const answer: CatalogueObjectPutResponse = { sha256, size: bytes.byteLength, stored };
    return c.json(answer);
  },
};
