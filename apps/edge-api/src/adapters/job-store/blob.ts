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
import { BoundedMemo, ExpiringMemo } from "../../memo/bounded-memo.ts";
import { type BlobStore, readBlobText } from "../../ports/blob-store.ts";
import type { JobStore } from "../../ports/job-store.ts";

export const jobKey = (id: string) => `jobs/${id}.json`;
export const cacheKey = (contentKey: string) => `cache/${contentKey}.json`;
export const candidateKey = (contentKey: string) => `candidates/${contentKey}.json`;
const producersPrefix = (tokenId: string) => `producers/${tokenId}/`;

const JSON_TYPE = { contentType: "application/json" };

// How many settled job records and build-cache entries one process keeps parsed, and how long a cache entry
// read from the store is served before it is read again (an operator's purge through another process shows
// within this time; through this process at once).
export const RECORD_MEMO_SIZE = 4096;
export const CACHE_MEMO_SIZE = 4096;
export const CACHE_MEMO_MS = 5_000;

// A record nothing changes any more: finished or failed, and not a community build that may still be
// verified by the completion that wrote it (jobs/after-completion.ts).
function settled(record: JobRecord): boolean {
  return record.status === "failed" || (record.status === "finished" && record.verified !== false);
}

// Job records and cache entries as JSON objects in any BlobStore (R2 on Workers, S3 or a directory on Node).
// Settled records and cache entries are memoised in the instance, so repeated status reads and cache hits
// skip the store read and the schema parse.
export class BlobJobStore implements JobStore {
  readonly #blobs: BlobStore;
  readonly #records = new BoundedMemo<JobRecord>(RECORD_MEMO_SIZE);
  readonly #cache: ExpiringMemo<CacheEntry>;

  constructor(blobs: BlobStore, options: { now?: () => number } = {}) {
    this.#blobs = blobs;
    this.#cache = new ExpiringMemo(CACHE_MEMO_SIZE, CACHE_MEMO_MS, options.now);
  }

  async #read<T extends z.ZodType>(schema: T, key: string): Promise<z.infer<T> | null> {
    const text = await readBlobText(this.#blobs, key);
    return text === null ? null : parseStored(schema, text, `stored object ${key}`);
  }

  async get(id: string): Promise<JobRecord | null> {
    const memo = this.#records.get(id);
    if (memo) return memo;
    const record = await this.#read(jobRecord, jobKey(id));
    if (record && settled(record)) this.#records.set(id, record);
    return record;
  }

  async put(record: JobRecord): Promise<void> {
    this.#records.delete(record.id);
    await this.#blobs.put(jobKey(record.id), JSON.stringify(record), JSON_TYPE);
    if (settled(record)) this.#records.set(record.id, record);
  }

  async getCache(contentKey: string): Promise<CacheEntry | null> {
    const memo = this.#cache.lookup(contentKey);
    if (memo.found) return memo.value;
    const entry = await this.#read(cacheEntry, cacheKey(contentKey));
    // A miss is not memoised: a build finishing in another process fills it.
    if (entry) this.#cache.set(contentKey, entry);
    return entry;
  }

  async putCache(entry: CacheEntry): Promise<void> {
    this.#cache.delete(entry.content_key);
    await this.#blobs.put(cacheKey(entry.content_key), JSON.stringify(entry), JSON_TYPE);
    this.#cache.set(entry.content_key, entry);
  }

  async deleteCache(contentKey: string): Promise<void> {
    this.#cache.delete(contentKey);
    await this.#blobs.delete(cacheKey(contentKey));
    this.#cache.delete(contentKey);
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
