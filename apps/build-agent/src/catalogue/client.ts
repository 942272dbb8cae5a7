import {
  CATALOGUE_LIMITS,
  type CatalogueManifest,
  type CataloguePublishResponse,
  catalogueMissingResponse,
  cataloguePublishResponse,
} from "@qmk-edge/schema";
import type { ApiClient } from "../api/client.ts";
import type { ObjectContentType } from "./derive.ts";

// The catalogue part of the agent protocol (trusted agent tokens only; a community token gets 403):
// which objects the API lacks, upload one, publish a manifest. Calls go through the agent's one HTTP
// client, so they share its token, retries and typed errors.

export class CatalogueClient {
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  // The digests the API does not hold yet, asked in batches of the most one call may name.
  async missing(digests: readonly string[], signal?: AbortSignal): Promise<string[]> {
    const missing: string[] = [];
    for (let i = 0; i < digests.length; i += CATALOGUE_LIMITS.missingQuery) {
      const res = await this.#api.send({
        method: "POST",
        path: "/v1/agent/catalogue/objects/missing",
        json: { sha256: digests.slice(i, i + CATALOGUE_LIMITS.missingQuery) },
        schema: catalogueMissingResponse,
        signal,
      });
      missing.push(...res!.missing);
    }
    return missing;
  }

  async putObject(
    sha256: string,
    bytes: Uint8Array,
    contentType: ObjectContentType,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#api.send({
      method: "PUT",
      path: `/v1/agent/catalogue/objects/${sha256}`,
      body: bytes,
      headers: { "content-type": contentType },
      signal,
    });
  }

  // `manifestBytes` is the manifest exactly as its digest was taken.
  async publish(
    manifest: CatalogueManifest,
    manifestBytes: Uint8Array,
    signal?: AbortSignal,
  ): Promise<CataloguePublishResponse> {
    const res = await this.#api.send({
      method: "POST",
      path: `/v1/agent/catalogue/${encodeURIComponent(manifest.firmware_version)}/publish`,
      body: manifestBytes,
      headers: { "content-type": "application/json" },
      schema: cataloguePublishResponse,
      signal,
    });
    return res!;
  }
}
