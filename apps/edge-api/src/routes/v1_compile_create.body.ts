import { type ParsedCompileRequest, parseCompileRequest } from "@qmk-edge/keymap";
import type { KeycodeTranslation } from "@qmk-edge/schema";
import { checkAgainstCatalogue } from "../catalogue/compile-check.ts";
import { currentManifestSha256 } from "../catalogue/current-catalogue.ts";
import type { Deps } from "../deps.ts";
import { decodeJsonBody } from "../http/request-body.ts";
import { InvalidInputError } from "../http/request-errors.ts";
import { contentKey } from "../jobs/content-key.ts";
import { shareJson } from "../jobs/record-json.ts";
import { BoundedMemo } from "../memo/bounded-memo.ts";

// A compile request as POST /v1/compile builds it: validated (packages/keymap), checked against the
// published catalogue, and keyed for the build cache.
export interface ValidatedCompileRequest {
  readonly request: ParsedCompileRequest;
  readonly translations: readonly KeycodeTranslation[];
  readonly contentKey: string;
}

// Bodies that were validated, by their bytes' digest, the firmware version and the catalogue they were checked
// against. Each value is a pure function of those (the parse, the check against an immutable manifest, the
// key) and frozen, so a body sent again byte for byte (a keymap compiled again from Configurator, whose JSON
// is the same every time, a client's retry: what a build-cache hit mostly is) is answered from here instead of
// being decoded, parsed, checked and keyed again (about a fifth of a cache hit's CPU on Node). Only bodies that
// passed are kept; small ones only, so the memo stays a few MiB.
const VALIDATED_MEMO_SIZE = 512;
const VALIDATED_MAX_BODY_BYTES = 64 * 1024;
const validated = new BoundedMemo<ValidatedCompileRequest>(VALIDATED_MEMO_SIZE);

// The request a body holds, or the client's error (400 not JSON, 422 not a compile request or not fitting the
// catalogue). `seen.body` is the body's JSON once it was decoded here (for a refusal's lines).
export async function validateCompileBody(
  deps: Pick<Deps, "blobs" | "sha256Hex"> & { config: Pick<Deps["config"], "firmwareVersion"> },
  bytes: Uint8Array,
  seen: { body?: unknown },
): Promise<ValidatedCompileRequest> {
  const { firmwareVersion } = deps.config;
  const digest = bytes.byteLength <= VALIDATED_MAX_BODY_BYTES ? await deps.sha256Hex(bytes) : null;
  const memoKey = (catalogue: string | null) => `${firmwareVersion}\n${catalogue ?? "-"}\n${digest}`;
  if (digest !== null) {
    const known = validated.get(memoKey(await currentManifestSha256(deps.blobs, firmwareVersion)));
    if (known) return known;
  }

  seen.body = decodeJsonBody(bytes);
  const parsed = parseCompileRequest(seen.body);
  if (!parsed.ok) throw new InvalidInputError("invalid compile request", parsed.errors);
  const checked = await checkAgainstCatalogue(deps.blobs, firmwareVersion, parsed.value);
  const result: ValidatedCompileRequest = Object.freeze({
    // Every record of a body sent again holds this request: serialized once (jobs/record-json.ts).
    request: digest === null ? checked.request : shareJson(checked.request),
    translations: Object.freeze(checked.translations.map((t) => Object.freeze(t))),
    contentKey: await contentKey(checked.request, firmwareVersion, deps.sha256Hex),
  });
  // Under the catalogue it was checked against (one published since the lookup above is not this one).
  if (digest !== null) validated.set(memoKey(checked.catalogue), result);
  return result;
}
