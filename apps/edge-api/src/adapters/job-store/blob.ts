import {
  type CacheCandidate,
  type CacheEntry,
  cacheCandidate,
  cacheEntry,
  type JobRecord,
  jobRecord,
} from "@qmk-edge/schema";
import type { z } from "zod";
import { type Clock, systemClock } from "../../jobs/clock.ts";
import { failedDamagedRecord } from "../../jobs/damaged-record.ts";
import { StoredRecordError, UnavailableError } from "../../jobs/errors.ts";
import { parseStored } from "../../jobs/stored-record.ts";
import { ExpiringMemo } from "../../memo/bounded-memo.ts";
import { type BlobStore, readBlobText } from "../../ports/blob-store.ts";
import type { JobStore } from "../../ports/job-store.ts";

export const jobKey = (id: string) => `jobs/${id}.json`;
export const cacheKey = (contentKey: string) => `cache/${contentKey}.json`;
export const candidateKey = (contentKey: string) => `candidates/${contentKey}.json`;
const producersPrefix = (tokenId: string) => `producers/${tokenId}/`;
const OPEN_PREFIX = "open/";
const servedPrefix = (tokenId: string) => `served/${tokenId}/`;

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
export interface BlobJobStoreOptions {
  // Space kept per job accepted and not yet ended, on a store that can tell its free space (a directory):
  // a new job is accepted only while the store has room for it and every open job (records, artifacts).
  bytesPerOpenJob?: number;
  // Dates the failed record that replaces an unreadable one.
  now?: Clock;
  // How long a settled record read from the store is served from memory; unset, until newer ones push it out.
  // Where other processes or isolates may mark a settled record (an operator's purge), this bounds how long
  // they take to show.
  settledMemoMs?: number;
}

// Settled records and cache entries are memoised in the instance, so repeated status reads and cache hits
// skip the store read and the schema parse. The cache memo's expiry runs on the wall clock.
export class BlobJobStore implements JobStore {
  readonly #blobs: BlobStore;
  readonly #bytesPerOpenJob: number;
  readonly #now: Clock;
  readonly #records: ExpiringMemo<JobRecord>;
  readonly #cache = new ExpiringMemo<CacheEntry>(CACHE_MEMO_SIZE, CACHE_MEMO_MS);

  constructor(blobs: BlobStore, options: BlobJobStoreOptions = {}) {
    this.#blobs = blobs;
    this.#bytesPerOpenJob = options.bytesPerOpenJob ?? 0;
    this.#now = options.now ?? systemClock;
    this.#records = new ExpiringMemo(RECORD_MEMO_SIZE, options.settledMemoMs ?? Number.POSITIVE_INFINITY);
  }

  async #read<T extends z.ZodType>(schema: T, key: string): Promise<z.infer<T> | null> {
    const text = await this.#text(key);
    return text === null ? null : parseStored(schema, text, `stored object ${key}`);
  }

  async #text(key: string): Promise<string | null> {
    return await readBlobText(this.#blobs, key);
  }

  // An unreadable record is reported, kept under damaged/ for the operator, and replaced by a failed one.
  async get(id: string): Promise<JobRecord | null> {
    const memo = this.#records.lookup(id);
    if (memo.found) return memo.value;
    const text = await this.#text(jobKey(id));
    if (text === null) return null;
    let record: JobRecord;
    try {
      record = parseStored(jobRecord, text, `stored object ${jobKey(id)}`);
    } catch (err) {
      if (!(err instanceof StoredRecordError)) throw err;
      console.error(`job ${id}: ${err.message}; kept as damaged/${jobKey(id)}, the job is failed`);
      await this.#blobs.put(`damaged/${jobKey(id)}`, text, { contentType: "application/octet-stream" });
      const failed = failedDamagedRecord(id, { now: this.#now().toISOString(), problem: err.message });
      await this.put(failed);
      return failed;
    }
    if (settled(record)) this.#records.set(id, record);
    return record;
  }

  async put(record: JobRecord): Promise<void> {
    this.#records.delete(record.id);
    await this.#blobs.put(jobKey(record.id), JSON.stringify(record), JSON_TYPE);
    if (settled(record)) this.#records.set(record.id, record);
  }

  async accept(record: JobRecord): Promise<void> {
    await this.#checkRoom();
    this.#records.delete(record.id);
    await this.#blobs.put(`${OPEN_PREFIX}${record.id}`, record.created_at, { contentType: "text/plain" });
    await this.#blobs.put(jobKey(record.id), JSON.stringify(record), JSON_TYPE);
  }

  // Refusing a job now (503) beats accepting one whose build has nowhere to go. Open markers of ended jobs
  // linger until the reconciler clears them, so the count errs on the side of refusing.
  async #checkRoom(): Promise<void> {
    if (this.#bytesPerOpenJob <= 0 || !this.#blobs.freeBytes) return;
    const [free, open] = await Promise.all([this.#blobs.freeBytes(), this.openJobIds()]);
    const needed = (open.length + 1) * this.#bytesPerOpenJob;
    if (free < needed) {
      throw new UnavailableError(
        `the blob store is nearly full (${free} bytes free, ${needed} kept for ${open.length} open job(s) and ` +
          "this one); new jobs are refused until builds end or space is freed",
      );
    }
  }

  async openJobIds(): Promise<string[]> {
    return (await this.#blobs.list(OPEN_PREFIX)).map((key) => key.slice(OPEN_PREFIX.length));
  }

  async closeOpen(id: string): Promise<void> {
    await this.#blobs.delete(`${OPEN_PREFIX}${id}`);
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

  async markServed(tokenId: string, jobId: string): Promise<void> {
    await this.#blobs.put(`${servedPrefix(tokenId)}${jobId}`, "", { contentType: "text/plain" });
  }

  async servedBy(tokenId: string): Promise<string[]> {
    const prefix = servedPrefix(tokenId);
    return (await this.#blobs.list(prefix)).map((key) => key.slice(prefix.length));
  }

  async producedBy(tokenId: string): Promise<string[]> {
    const prefix = producersPrefix(tokenId);
    return (await this.#blobs.list(prefix)).map((key) => key.slice(prefix.length));
  }
}
