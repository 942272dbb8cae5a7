import {
  type CacheCandidate,
  type CacheEntry,
  cacheCandidate,
  cacheEntry,
  type JobRecord,
  jobRecord,
} from "@qmk-edge/schema";
import type { BlobStore } from "../../ports/blob-store.ts";
import type { JobStore } from "../../ports/job-store.ts";

export const jobKey = (id: string) => `jobs/${id}.json`;
export const cacheKey = (contentKey: string) => `cache/${contentKey}.json`;
export const candidateKey = (contentKey: string) => `candidates/${contentKey}.json`;
const producersPrefix = (tokenId: string) => `producers/${tokenId}/`;

const JSON_TYPE = { contentType: "application/json" };

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
    await this.#blobs.put(jobKey(record.id), JSON.stringify(record), JSON_TYPE);
  }

  async getCache(contentKey: string): Promise<CacheEntry | null> {
    const value = await this.#read(cacheKey(contentKey));
    return value === null ? null : cacheEntry.parse(value);
  }

  async putCache(entry: CacheEntry): Promise<void> {
    await this.#blobs.put(cacheKey(entry.content_key), JSON.stringify(entry), JSON_TYPE);
  }

  async deleteCache(contentKey: string): Promise<void> {
    await this.#blobs.delete(cacheKey(contentKey));
  }

  async getCandidate(contentKey: string): Promise<CacheCandidate | null> {
    const value = await this.#read(candidateKey(contentKey));
    return value === null ? null : cacheCandidate.parse(value);
  }

  async putCandidate(candidate: CacheCandidate): Promise<void> {
    await this.#blobs.put(candidateKey(candidate.content_key), JSON.stringify(candidate), JSON_TYPE);
  }

  async deleteCandidate(contentKey: string): Promise<void> {
    await this.#blobs.delete(candidateKey(contentKey));
  }

  // One empty object per key: concurrent builds by one token never overwrite each other's marker.
  async markProducer(tokenId: string, contentKey: string): Promise<void> {
    await this.#blobs.put(`${producersPrefix(tokenId)}${contentKey}`, "", { contentType: "text/plain" });
  }

  async unmarkProducer(tokenId: string, contentKey: string): Promise<void> {
    await this.#blobs.delete(`${producersPrefix(tokenId)}${contentKey}`);
  }

  async producedBy(tokenId: string): Promise<string[]> {
    const prefix = producersPrefix(tokenId);
    return (await this.#blobs.list(prefix)).map((key) => key.slice(prefix.length));
  }
}
