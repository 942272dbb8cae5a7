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
import { newId } from "../../jobs/job-id.ts";
import { recordJson, shareJson } from "../../jobs/record-json.ts";
import { parseStored } from "../../jobs/stored-record.ts";
import { BoundedMemo, ExpiringMemo } from "../../memo/bounded-memo.ts";
import { type BlobStore, type PutOptions, type ReadOptions, readBlobText } from "../../ports/blob-store.ts";
import type { JobStore } from "../../ports/job-store.ts";
import { PackIndex, packIdOf, packKey, RecordPacks, SERVED_PACK_SUFFIX } from "./record-packs.ts";

export const jobKey = (id: string) => `jobs/${id}.json`;
export const cacheKey = (contentKey: string) => `cache/${contentKey}.json`;
export const candidateKey = (contentKey: string) => `candidates/${contentKey}.json`;
const producersPrefix = (tokenId: string) => `producers/${tokenId}/`;
// The folder of the open jobs' markers; a directory store told to count it (countedFolders) counts them
// without listing it.
export const OPEN_FOLDER = "open";
const OPEN_PREFIX = `${OPEN_FOLDER}/`;
const servedPrefix = (tokenId: string) => `served/${tokenId}/`;

const JSON_TYPE = { contentType: "application/json" };
// A key written for the first time: a store with a journal makes it durable in a group commit (PutOptions).
const NEW_JSON = { contentType: "application/json", firstWrite: true };
const NEW_MARKER = { contentType: "text/plain", firstWrite: true };
// A job's record overwritten: the dispatcher's transitions (lease, heartbeat, completion, reaper) write it under
// the job's lock, a job never queued is written by its one request, so the store may journal it too
// (PutOptions.serialized). An operator's purge mark on a finished record is not under the lock: as before, it
// races only the verification of a community build, with no defined order between the two.
const RECORD_JSON = { contentType: "application/json", serialized: true };

// How many settled job records and build-cache entries one process keeps parsed, and how long a cache entry
// read from the store is served before it is read again (an operator's purge through another process shows
// within this time; through this process at once).
export const RECORD_MEMO_SIZE = 4096;
export const CACHE_MEMO_SIZE = 4096;
export const CACHE_MEMO_MS = 5_000;
// How many packs of first records (record-packs.ts) one process keeps: they never change once saved.
export const PACK_MEMO_SIZE = 64;
// How long the count of open markers listed from the store is used (with this process's own accepts and
// closes applied at once) before it is listed again: other processes' accepts show within this time.
export const OPEN_COUNT_MEMO_MS = 1_000;
// ... and how long while what is free is over twice what the reserve needs. The listing grows with the queue
// (40,000 open jobs: about 6% of a POST's CPU when listed every second); for the reserve to fall short within
// this time, other processes would have to accept as many jobs as are open. Free bytes are asked once per
// event-loop turn (#freeBytes), so a disk filling up brings back the 1 s listing at once.
export const OPEN_COUNT_ROOMY_MEMO_MS = 30_000;

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
  // The first records (cache hits, new jobs) of one event-loop turn saved as one pack (record-packs.ts), and
  // read from there until the job's own object is written: only where one process answers many requests
  // concurrently (Node), not in a Workers isolate.
  packRecords?: boolean;
}

// Settled records and cache entries are memoised in the instance, so repeated status reads and cache hits
// skip the store read and the schema parse. The cache memo's expiry runs on the wall clock.
export class BlobJobStore implements JobStore {
  readonly #blobs: BlobStore;
  readonly #bytesPerOpenJob: number;
  readonly #now: Clock;
  readonly #records: ExpiringMemo<JobRecord>;
  readonly #cache = new ExpiringMemo<CacheEntry>(CACHE_MEMO_SIZE, CACHE_MEMO_MS);
  // The text and parsed form of records still changing, as last read: a read that finds the same text again
  // (a status poll of a queued or running job) skips the schema parse.
  readonly #parsed = new BoundedMemo<{ text: string; record: JobRecord }>(RECORD_MEMO_SIZE);
  // Open markers as last listed, plus this process's accepts since; null: list again.
  #openCount: { listedAt: number; count: number } | null = null;
  // What the store said is free, asked in this event-loop turn (null: not yet).
  #freeThisTurn: Promise<number> | null = null;
  readonly #recordPacks: RecordPacks | null;
  // Packs as saved or last read, by pack id.
  readonly #packs = new BoundedMemo<PackIndex>(PACK_MEMO_SIZE);

  constructor(blobs: BlobStore, options: BlobJobStoreOptions = {}) {
    this.#blobs = blobs;
    this.#recordPacks = options.packRecords
      ? new RecordPacks(blobs, (packId, text) => this.#packs.set(packId, new PackIndex(text)))
      : null;
    this.#bytesPerOpenJob = options.bytesPerOpenJob ?? 0;
    this.#now = options.now ?? systemClock;
    this.#records = new ExpiringMemo(RECORD_MEMO_SIZE, options.settledMemoMs ?? Number.POSITIVE_INFINITY);
  }

  async #read<T extends z.ZodType>(
    schema: T,
    key: string,
    options?: ReadOptions,
  ): Promise<z.infer<T> | null> {
    const text = await this.#text(key, options);
    return text === null ? null : parseStored(schema, text, `stored object ${key}`);
  }

  async #text(key: string, options?: ReadOptions): Promise<string | null> {
    return await readBlobText(this.#blobs, key, options);
  }

  // An unreadable record is reported, kept under damaged/ for the operator, and replaced by a failed one.
  async get(id: string): Promise<JobRecord | null> {
    const memo = this.#records.lookup(id);
    if (memo.found) return memo.value;
    // A record its pack holds is mostly still there alone (a queued job's, a hit's): a stat first spares the
    // thrown ENOENT of an open (fs-publish-sync.ts readSmallFileText).
    const packed = this.#knownPackMember(id);
    const text =
      (await this.#text(jobKey(id), packed === undefined ? undefined : { likelyMissing: true })) ??
      packed ??
      (await this.#packedText(id));
    if (text === null) return null;
    const last = this.#parsed.get(id);
    if (last?.text === text) return last.record;
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
    else this.#parsed.set(id, { text, record });
    return record;
  }

  // A first record in its pack, where no object of the job's own (a lease's, a purge's mark) was written since.
  async #packedText(id: string): Promise<string | null> {
    const packId = this.#recordPacks ? packIdOf(id) : null;
    if (packId === null) return null;
    const pack = await this.#pack(packId);
    return pack?.record(id) ?? null;
  }

  // The record a pack kept in memory holds for `id` (undefined: none known here).
  #knownPackMember(id: string): string | undefined {
    const packId = this.#recordPacks ? packIdOf(id) : null;
    return packId === null ? undefined : this.#packs.get(packId)?.record(id);
  }

  async #pack(packId: string): Promise<PackIndex | null> {
    const known = this.#packs.get(packId);
    if (known !== undefined) return known;
    // Most ids asked for here are not a pack's (a job from before packs, an unknown id): a missing pack is the
    // likely answer.
    const text = await this.#text(packKey(packId), { likelyMissing: true });
    if (text === null) return null;
    const pack = new PackIndex(text);
    this.#packs.set(packId, pack);
    return pack;
  }

  async put(record: JobRecord): Promise<void> {
    await this.#save(record, RECORD_JSON);
  }

  async #save(record: JobRecord, options: PutOptions): Promise<void> {
    this.#records.delete(record.id);
    this.#parsed.delete(record.id);
    await this.#blobs.put(jobKey(record.id), recordJson(record), options);
    if (settled(record)) this.#records.set(record.id, record);
  }

  async createCacheHit(build: (id: string) => JobRecord, servedBy: string[]): Promise<string> {
    if (this.#recordPacks) {
      const { record, saved } = this.#recordPacks.add(build, { servedBy });
      await saved;
      if (settled(record)) this.#records.set(record.id, record);
      return record.id;
    }
    const record = build(newId());
    // Together, so a store with a journal makes the markers and the record durable in one group commit: the
    // markers' lines go first.
    await Promise.all([
      ...servedBy.map((token) => this.markServed(token, record.id)),
      this.#save(record, NEW_JSON),
    ]);
    return record.id;
  }

  // Open markers are empty, like every marker (only its name is read): the directory store links empty objects
  // to one shared file instead of creating one per job (adapters/blob-store/fs-empty-links.ts). Marker and
  // record are put together, the marker first, so a store with a journal makes both durable in one group
  // commit; with packs, the marker goes with the pack holding the record.
  async accept(build: (id: string) => JobRecord): Promise<JobRecord> {
    await this.#checkRoom();
    const marker = (id: string) => `${OPEN_PREFIX}${id}`;
    let record: JobRecord;
    if (this.#recordPacks) {
      const packed = this.#recordPacks.add(build, { markers: (id) => [marker(id)] });
      await packed.saved;
      record = packed.record;
    } else {
      record = build(newId());
      await Promise.all([this.#blobs.put(marker(record.id), "", NEW_MARKER), this.#save(record, NEW_JSON)]);
    }
    if (this.#openCount) this.#openCount.count++;
    return record;
  }

  // Refusing a job now (503) beats accepting one whose build has nowhere to go. Open markers of ended jobs
  // linger until the reconciler clears them, so the count errs on the side of refusing.
  async #checkRoom(): Promise<void> {
    if (this.#bytesPerOpenJob <= 0 || !this.#blobs.freeBytes) return;
    const free = await this.#freeBytes();
    const open = await this.#openJobCount(free);
    const needed = (open + 1) * this.#bytesPerOpenJob;
    if (free < needed) {
      throw new UnavailableError(
        `the blob store is nearly full (${free} bytes free, ${needed} kept for ${open} open job(s) and ` +
          "this one); new jobs are refused until builds end or space is freed",
      );
    }
  }

  // Once per event-loop turn: the POSTs of a burst reach here together (they resume from one reply of the rate
  // limiter's batch), and one statfs answers them all as it would have a microsecond apart.
  #freeBytes(): Promise<number> {
    if (!this.#freeThisTurn) {
      this.#freeThisTurn = this.#blobs.freeBytes!();
      setImmediate(() => {
        this.#freeThisTurn = null;
      });
    }
    return this.#freeThisTurn;
  }

  // Counted at most once per OPEN_COUNT_MEMO_MS (OPEN_COUNT_ROOMY_MEMO_MS while `free` is over twice what it
  // needs) and kept current with this process's own accepts and closes: where the store cannot count a
  // folder's keys (countKeys: a directory store counts open/ by its links' counts), open/ is listed, a readdir
  // that grows with the queue.
  async #openJobCount(free: number): Promise<number> {
    const memo = this.#openCount;
    if (memo) {
      const roomy = free > 2 * (memo.count + 1) * this.#bytesPerOpenJob;
      const maxAge = roomy ? OPEN_COUNT_ROOMY_MEMO_MS : OPEN_COUNT_MEMO_MS;
      if (Date.now() - memo.listedAt < maxAge) return memo.count;
    }
    const listedAt = Date.now();
    const count = this.#blobs.countKeys
      ? await this.#blobs.countKeys(OPEN_PREFIX)
      : (await this.openJobIds()).length;
    this.#openCount = { listedAt, count };
    return count;
  }

  async openJobIds(): Promise<string[]> {
    return (await this.#blobs.list(OPEN_PREFIX)).map((key) => key.slice(OPEN_PREFIX.length));
  }

  async closeOpen(id: string): Promise<void> {
    await this.#blobs.delete(`${OPEN_PREFIX}${id}`);
    this.#openCount = null;
  }

  async getCache(contentKey: string): Promise<CacheEntry | null> {
    const memo = this.#cache.lookup(contentKey);
    if (memo.found) return memo.value;
    // A keymap is mostly new (a found entry is memoised above), so its entry is mostly missing.
    const entry = await this.#read(cacheEntry, cacheKey(contentKey), { likelyMissing: true });
    // A miss is not memoised: a build finishing in another process fills it.
    if (entry) this.#memoCache(entry);
    return entry;
  }

  // Every hit's record holds the memoised entry's artifacts and result: serialized once (jobs/record-json.ts).
  #memoCache(entry: CacheEntry): void {
    shareJson(entry.artifacts);
    shareJson(entry.result);
    this.#cache.set(entry.content_key, entry);
  }

  async putCache(entry: CacheEntry): Promise<void> {
    this.#cache.delete(entry.content_key);
    await this.#blobs.put(cacheKey(entry.content_key), JSON.stringify(entry), JSON_TYPE);
    this.#memoCache(entry);
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
    await this.#blobs.put(`${servedPrefix(tokenId)}${jobId}`, "", NEW_MARKER);
  }

  // A marker names a job, or a pack of records (record-packs.ts) some of whose cache hits the token produced.
  async servedBy(tokenId: string): Promise<string[]> {
    const prefix = servedPrefix(tokenId);
    const ids = new Set<string>();
    for (const key of await this.#blobs.list(prefix)) {
      const name = key.slice(prefix.length);
      if (!name.endsWith(SERVED_PACK_SUFFIX)) {
        ids.add(name);
        continue;
      }
      const pack = await this.#pack(name.slice(0, -SERVED_PACK_SUFFIX.length));
      for (const id of pack?.servedBy(tokenId) ?? []) ids.add(id);
    }
    return [...ids];
  }

  async producedBy(tokenId: string): Promise<string[]> {
    const prefix = producersPrefix(tokenId);
    return (await this.#blobs.list(prefix)).map((key) => key.slice(prefix.length));
  }
}
