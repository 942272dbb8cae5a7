import type { CacheEntry, JobRecord } from "@qmk-edge/schema";

// Job records (jobs/<id>.json) and build-cache entries (cache/<content_key>.json).
// One implementation over any BlobStore: adapters/job-store/blob.ts.
export interface JobStore {
  get(id: string): Promise<JobRecord | null>;
  put(record: JobRecord): Promise<void>;
  getCache(contentKey: string): Promise<CacheEntry | null>;
  putCache(entry: CacheEntry): Promise<void>;
}
