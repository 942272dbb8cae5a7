import {
  type CacheCandidate,
  type CacheEntry,
  cacheCandidate,
  cacheEntry,
  type JobRecord,
  jobRecord,
} from "@qmk-edge/schema";
import type { z } from "zod";
import { parseStored } from "../../jobs/stored-record.ts";
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

  async #read<T extends z.ZodType>(schema: T, key: string): Promise<z.infer<T> | null> {
    const blob = await this.#blobs.get(key);
    if (!blob) return null;
    return parseStored(schema, await new Response(blob.body).text(), `stored object ${key}`);
  }

  async get(id: string): Promise<JobRecord | null> {
    return await this.#read(jobRecord, jobKey(id));
  }

  async put(record: JobRecord): Promise<void> {
    await this.#blobs.put(jobKey(record.id), JSON.stringify(record), JSON_TYPE);
  }

  async getCache(contentKey: string): Promise<CacheEntry | null> {
    return await this.#read(cacheEntry, cacheKey(contentKey));
  }

  async putCache(entry: CacheEntry): Promise<void> {
    await this.#blobs.put(cacheKey(entry.content_key), JSON.stringify(entry), JSON_TYPE);
  }

  async deleteCache(contentKey: string): Promise<void> {
    await this.#blobs.delete(cacheKey(contentKey));
  }

  async getCandidate(contentKey: string): Promise<CacheCandidate | null> {
    return await this.#read(cacheCandidate, candidateKey(contentKey));
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
