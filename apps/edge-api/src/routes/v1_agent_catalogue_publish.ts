import {
  CATALOGUE_LIMITS,
  type CataloguePointer,
  type CataloguePublishResponse,
  catalogueManifest,
  cataloguePointer,
} from "@qmk-edge/schema";
import { sha256Hex } from "../bytes/sha256-hex.ts";
import { checkAliases, checkKeycodesObject, checkObjectsStored } from "../catalogue/publish-checks.ts";
import { checkShrink, OPERATOR_TOKEN_HEADER } from "../catalogue/shrink-check.ts";
import { manifestKey, pointerKey } from "../catalogue/store-keys.ts";
import { parseFirmwareVersionParam } from "../catalogue/url-params.ts";
import { requireTrustedAgent } from "../http/agent-auth.ts";
import { parseInput } from "../http/parse-input.ts";
import { readJsonBodyBytes } from "../http/request-body.ts";
import { InvalidInputError } from "../http/request-errors.ts";
import type { Route } from "../http/route.ts";
import type { BlobStore } from "../ports/blob-store.ts";

async function currentPointer(blobs: BlobStore, version: string): Promise<CataloguePointer | null> {
  const blob = await blobs.get(pointerKey(version));
  if (!blob) return null;
  return cataloguePointer.parse(JSON.parse(await new Response(blob.body).text()));
}

// POST /v1/agent/catalogue/:firmware_version/publish: makes a manifest the version's catalogue. Its objects
// must all be stored; the manifest is stored under its sha256 and the pointer naming it is written last, so
// readers see the old catalogue or the new one, never a mix.
export const v1AgentCataloguePublish: Route = {
  method: "POST",
  path: "/v1/agent/catalogue/:firmware_version/publish",
  handler: async (c) => {
    requireTrustedAgent(c.get("agent"), "publishing the keyboard catalogue");
    const { blobs, now, config } = c.get("deps");
    const version = parseFirmwareVersionParam(c.req.param("firmware_version"));
    const { bytes, value } = await readJsonBodyBytes(c.req.raw, CATALOGUE_LIMITS.manifestBytes);
    const manifest = parseInput(catalogueManifest, value, "catalogue manifest");
    if (manifest.firmware_version !== version) {
      throw new InvalidInputError("the manifest is of another firmware version than the URL", [
        { path: "firmware_version", message: `is ${manifest.firmware_version}, the URL says ${version}` },
      ]);
    }
    checkAliases(manifest);
    await checkObjectsStored(blobs, manifest);
    await checkKeycodesObject(blobs, manifest);

    const sha256 = await sha256Hex(bytes);
    const answer: CataloguePublishResponse = {
      firmware_version: version,
      manifest: sha256,
      keyboards: Object.keys(manifest.keyboards).length,
    };
    // Publishing the current manifest again changes nothing, not even published_at.
    const current = await currentPointer(blobs, version);
    if (current?.manifest === sha256) return c.json(answer);
    await checkShrink({
      blobs,
      previousManifest: current?.manifest ?? null,
      next: manifest,
      force: c.req.query("force") === "true",
      operatorToken: c.req.header(OPERATOR_TOKEN_HEADER),
      operatorTokenHashes: config.operatorTokenHashes,
    });

    const key = manifestKey(sha256);
    if ((await blobs.head(key)) === null) {
      await blobs.put(key, bytes, { contentType: "application/json", sha256, size: bytes.byteLength });
    }
    const pointer: CataloguePointer = { manifest: sha256, published_at: now().toISOString() };
    await blobs.put(pointerKey(version), JSON.stringify(pointer), { contentType: "application/json" });
    return c.json(answer);
  },
};
