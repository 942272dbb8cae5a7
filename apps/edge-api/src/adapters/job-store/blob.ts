import { type CacheEntry, cacheEntry, type JobRecord, jobRecord } from "@qmk-edge/schema";
import type { BlobStore } from "../../ports/blob-store.ts";
import type { JobStore } from "../../ports/job-store.ts";

export const jobKey = (id: string) => `jobs/${id}.json`;
export const cacheKey = (contentKey: string) => `cache/${contentKey}.json`;

// Job records and cache entries as JSON objects in any BlobStore (R2 on Workers, S3 or a directory on Node).
export class BlobJobStore implements JobStore {
  readonly #blobs: BlobStore;

  constructor(blobs: BlobStore) {
    this.#blobs = blobs;
  }

  async #read(key: string): Promise<unknown | null> {
    const blob = await this.#blobs.get(key);
    if (!blob) return null;
    return JSON.parse(await new Response(blob.body).text());
  }

  async get(id: string): Promise<JobRecord | null> {
    const value = await this.#read(jobKey(id));
    return value === null ? null : jobRecord.parse(value);
  }

  async put(record: JobRecord): Promise<void> {
    await this.#blobs.put(jobKey(record.id), JSON.stringify(record), { contentType: "application/json" });
  }

  async getCache(contentKey: string): Promise<CacheEntry | null> {
    const value = await this.#read(cacheKey(contentKey));
    return value === null ? null : cacheEntry.parse(value);
  }

  async putCache(entry: CacheEntry): Promise<void> {
    await this.#blobs.put(cacheKey(entry.content_key), JSON.stringify(entry), {
      contentType: "application/json",
    });
  }
}
