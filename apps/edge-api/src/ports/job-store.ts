import type { CacheCandidate, CacheEntry, JobRecord } from "@qmk-edge/schema";

// Job records (jobs/<id>.json), build-cache entries (cache/<content_key>.json), community builds waiting to be
// reproduced (candidates/<content_key>.json) and, per agent token, the content keys it produced
// (producers/<token_id>/<content_key>), so a purge finds them; open/<id> marks a job accepted and maybe not
// ended, so the reconciler (jobs/reconcile.ts) finds what a queue forgot without listing every job ever.
// One implementation over any BlobStore: adapters/job-store/blob.ts.
export interface JobStore {
  get(id: string): Promise<JobRecord | null>;
  put(record: JobRecord): Promise<void>;
  // A cache hit's finished job: the store picks its id, `build` makes its record for that id, and every token
  // in `servedBy` (the producers of the firmware it is given) is marked as having served it, so a purge finds
  // it. Resolves with the id once record and markers are durable. The id and the record are new, which lets a
  // store save the first records of one moment together (adapters/job-store/record-packs.ts).
  createCacheHit(build: (id: string) => JobRecord, servedBy: string[]): Promise<string>;
  // A new job's first save: the store picks its id and `build` makes its queued record for that id; its open
  // marker, then the record, both refused (UnavailableError, 503) by a store that cannot take them or keeps its
  // last space for jobs already accepted. Nothing is accepted half-saved. Resolves with the record once durable.
  accept(build: (id: string) => JobRecord): Promise<JobRecord>;
  // The ids marked open (in no order), and the marker's removal once the job ended or never was saved.
  openJobIds(): Promise<string[]>;
  closeOpen(id: string): Promise<void>;
  getCache(contentKey: string): Promise<CacheEntry | null>;
  putCache(entry: CacheEntry): Promise<void>;
  deleteCache(contentKey: string): Promise<void>;
  getCandidate(contentKey: string): Promise<CacheCandidate | null>;
  putCandidate(candidate: CacheCandidate): Promise<void>;
  deleteCandidate(contentKey: string): Promise<void>;
  markProducer(tokenId: string, contentKey: string): Promise<void>;
  unmarkProducer(tokenId: string, contentKey: string): Promise<void>;
  producedBy(tokenId: string): Promise<string[]>;
  // served/<token_id>/<job_id>: jobs given firmware the token built, or a cache entry it produced.
  markServed(tokenId: string, jobId: string): Promise<void>;
  servedBy(tokenId: string): Promise<string[]>;
}
