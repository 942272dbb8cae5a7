// First records of one event-loop turn saved as one pack (adapters/job-store/record-packs.ts) in the directory
// store. Build-cache hits: one object and one `served/` marker per token for the turn, each hit read back by its
// id (from this process or another sharing the folder), found by a purge of a token that produced it and only
// of one, and replaced by a record of its own once one is written. A pack the disk refuses fails every hit in
// it. While a pack is being saved, the next one takes the hits of the turns until that save is done. New jobs:
// their queued records in the turn's pack (with its hits), an `open/` marker each, read back until a lease
// writes the job's own record; a record too large for the open pack starts the next.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCompileRequest } from "@qmk-edge/keymap";
import type { CacheEntry, JobRecord } from "@qmk-edge/schema";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { RedisQueueRepair } from "../src/adapters/dispatcher/redis/queue-repair.ts";
import { BlobJobStore, jobKey, PACK_MEMO_SIZE } from "../src/adapters/job-store/blob.ts";
import { PackIndex, packKey } from "../src/adapters/job-store/record-packs.ts";
import { cachedJobRecord } from "../src/jobs/build-cache.ts";
import { newId } from "../src/jobs/job-id.ts";
import { newJobRecord } from "../src/jobs/lifecycle.ts";
import { purgeAgent } from "../src/jobs/purge-agent.ts";
import { Reconciler } from "../src/jobs/reconcile.ts";
import type { BlobStore } from "../src/ports/blob-store.ts";
import { compileBody } from "../test-support/api-client.ts";
import { cacheEntryOf } from "../test-support/cache-entry.ts";

const NOW = "2026-12-07T08:00:00.000Z";

let dir: string;
let blobs: FsBlobStore;
let jobs: BlobJobStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qmk-edge-hit-packs-"));
  blobs = new FsBlobStore(dir, { journal: true });
  jobs = new BlobJobStore(blobs, { packRecords: true });
});
afterEach(async () => {
  await blobs.close();
  rmSync(dir, { recursive: true, force: true });
});

const entry = (contentKey: string, tokens: string[]) => cacheEntryOf({ contentKey, tokens, at: NOW });

// A hit answered from `cache`, as POST /v1/compile saves it.
function hit(cache: CacheEntry, store = jobs): Promise<string> {
  const parsed = parseCompileRequest(compileBody());
  if (!parsed.ok) throw new Error("test body is not a valid compile request");
  const build = (id: string): JobRecord => cachedJobRecord({ id, request: parsed.value, cache, now: NOW });
  return store.createCacheHit(build, [...new Set(cache.producers?.map((p) => p.token_id))]);
}

const journalLines = () => blobs.journalStats()!.lines;

// A new job's queued record, as POST /v1/compile builds it for the id the store picks; `large`: of 32 layers of
// 512 keys, ~165 K characters, more than a pack takes (128 K).
function queued(large = false): (id: string) => JobRecord {
  const layers = Array.from({ length: 32 }, () => Array.from({ length: 512 }, () => "KC_TRNS"));
  const parsed = parseCompileRequest({ ...compileBody(), ...(large ? { layers } : {}) });
  if (!parsed.ok) throw new Error("test body is not a valid compile request");
  return (id) =>
    newJobRecord({
      id,
      request: parsed.value,
      contentKey: "d".repeat(64),
      firmwareVersion: "demo-1",
      maxAttempts: 3,
      now: NOW,
    });
}

describe("cache hits saved a turn at a time", () => {
  it("share one pack and one marker per token within a turn, each read back by its own id", async () => {
    const a = entry("a".repeat(64), ["token-a"]);
    const before = journalLines();
    const ids = await Promise.all([hit(a), hit(a), hit(a)]);
    // One pack, one marker: two journal lines for three hits.
    expect(journalLines() - before).toBe(2);
    expect(new Set(ids).size).toBe(3);
    const pack = ids[0]!.slice(0, 16);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(id.slice(0, 16)).toBe(pack);
      expect(await blobs.head(jobKey(id))).toBeNull();
      expect(await jobs.get(id)).toMatchObject({ id, status: "finished", cache_hit_of: "1".repeat(32) });
    }
    expect(await blobs.list("served/token-a/")).toEqual([`served/token-a/${pack}.hits`]);

    // The next turn's hits are another pack.
    const later = await hit(a);
    expect(later.slice(0, 16)).not.toBe(pack);

    // Another process sharing the folder (a store that never saw them) reads them from the pack.
    const other = new BlobJobStore(new FsBlobStore(dir), { packRecords: true });
    for (const id of [...ids, later]) expect((await other.get(id))?.id).toBe(id);
  });

  it("take the hits of later turns into one pack while another is being saved", async () => {
    // The directory store, with the first pack's put held until released.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const packPuts: string[] = [];
    const gated: BlobStore = {
      get: (key) => blobs.get(key),
      getText: (key, options) => blobs.getText(key, options),
      head: (key) => blobs.head(key),
      delete: (key) => blobs.delete(key),
      list: (prefix) => blobs.list(prefix),
      put: async (key, body, options) => {
        if (key.startsWith("hit-packs/")) {
          packPuts.push(key);
          if (packPuts.length === 1) await held;
        }
        return await blobs.put(key, body, options);
      },
    };
    const store = new BlobJobStore(gated, { packRecords: true });
    const a = entry("a".repeat(64), ["token-a"]);
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const first = hit(a, store);
    await turn();
    const later = [hit(a, store)];
    await turn();
    later.push(hit(a, store));
    await turn();
    expect(packPuts).toHaveLength(1);
    release();
    const [one, two, three] = await Promise.all([first, ...later]);
    expect(packPuts).toHaveLength(2);
    expect(two!.slice(0, 16)).toBe(three!.slice(0, 16));
    expect(two!.slice(0, 16)).not.toBe(one!.slice(0, 16));
    for (const id of [one, two, three]) expect((await store.get(id!))?.id).toBe(id);
  });

  it("answers no record for an id its pack does not hold, a pack that does not exist, or what is not an id", async () => {
    const [id] = await Promise.all([hit(entry("a".repeat(64), ["token-a"]))]);
    const stranger = `${id!.slice(0, 16)}${"0".repeat(16)}`;
    expect(await jobs.get(stranger)).toBeNull();
    expect(await jobs.get("f".repeat(32))).toBeNull();
    expect(await jobs.get("not-an-id")).toBeNull();
    // A pack's line is found by its whole id only, never by a prefix or inside another line.
    const pack = new PackIndex((await blobs.getText(packKey(id!.slice(0, 16))))!);
    expect(pack.record(id!.slice(0, 31))).toBeUndefined();
    expect(pack.record(id!)).toContain(`"id":"${id}"`);
  });

  it("are found by a purge of a token that produced them, and only of one; the mark is the hit's own record", async () => {
    const a = entry("a".repeat(64), ["token-a"]);
    const ab = entry("b".repeat(64), ["token-a", "token-b"]);
    const b = entry("c".repeat(64), ["token-b"]);
    const [onlyA, both, onlyB] = await Promise.all([hit(a), hit(ab), hit(b)]);
    expect(onlyA!.slice(0, 16)).toBe(onlyB!.slice(0, 16));
    expect(new Set(await jobs.servedBy("token-a"))).toEqual(new Set([onlyA, both]));
    expect(new Set(await jobs.servedBy("token-b"))).toEqual(new Set([both, onlyB]));

    const purged = await purgeAgent(jobs, "token-b", NOW);
    expect(new Set(purged.marked_jobs)).toEqual(new Set([both, onlyB]));
    // The marked record is an object of its own, which wins over the pack, here and in another process.
    expect(await blobs.head(jobKey(onlyB!))).not.toBeNull();
    const other = new BlobJobStore(new FsBlobStore(dir), { packRecords: true });
    for (const store of [jobs, other]) {
      expect(await store.get(onlyB!)).toMatchObject({ verified: false, purged: { token_id: "token-b" } });
      expect(await store.get(both!)).toMatchObject({ verified: false, purged: { token_id: "token-b" } });
      expect((await store.get(onlyA!))?.purged).toBeUndefined();
    }
  });

  it("fail every hit of a pack the disk refuses, and answer none of their ids", async () => {
    // A file where the packs' folder should be: the pack's put cannot make its folder.
    writeFileSync(join(dir, "hit-packs"), "");
    const a = entry("a".repeat(64), ["token-a"]);
    const results = await Promise.allSettled([hit(a), hit(a)]);
    for (const r of results) expect(r.status).toBe("rejected");
    // Nothing was answered, so nothing can be asked for; a later turn, with the folder back, saves again.
    rmSync(join(dir, "hit-packs"));
    const id = await hit(a);
    expect((await jobs.get(id))?.status).toBe("finished");
  });

  it("keep an unreadable record aside and fail its job, as a record of its own would be", async () => {
    const pack = "0123456789abcdef";
    const id = `${pack}${"e".repeat(16)}`;
    const damaged = '{"id":"cut sho';
    await blobs.put(packKey(pack), `${id}\ttoken-a\t${damaged}\n`, { contentType: "text/plain" });
    const record = await jobs.get(id);
    expect(record).toMatchObject({ id, status: "failed" });
    expect(await blobs.getText(`damaged/${jobKey(id)}`)).toBe(damaged);
    // The failed record is the job's own object from now on.
    expect(await blobs.head(jobKey(id))).not.toBeNull();
  });

  it("are one object per hit where packs are off (a Workers isolate)", async () => {
    const single = new BlobJobStore(blobs);
    const ids = await Promise.all([hit(entry("a".repeat(64), ["token-a"]), single)]);
    expect(await blobs.head(jobKey(ids[0]!))).not.toBeNull();
    expect(await single.servedBy("token-a")).toEqual(ids);
  });
});

describe("new jobs saved a turn at a time", () => {
  it("share one pack with an open marker each, read back here and by another store until their own record is written", async () => {
    const before = journalLines();
    const records = await Promise.all([jobs.accept(queued()), jobs.accept(queued()), jobs.accept(queued())]);
    // Three markers and one pack.
    expect(journalLines() - before).toBe(4);
    const ids = records.map((r) => r.id);
    expect(new Set(ids.map((id) => id.slice(0, 16))).size).toBe(1);
    expect((await jobs.openJobIds()).sort()).toEqual([...ids].sort());
    const other = new BlobJobStore(new FsBlobStore(dir), { packRecords: true });
    for (const id of ids) {
      expect(await blobs.head(jobKey(id))).toBeNull();
      for (const store of [jobs, other]) expect(await store.get(id)).toMatchObject({ id, status: "queued" });
    }

    // The job's own record (a lease's), written through either store, wins in both from then on.
    const leased: JobRecord = { ...records[0]!, status: "running", started_at: NOW };
    await other.put(leased);
    expect(await blobs.head(jobKey(ids[0]!))).not.toBeNull();
    for (const store of [jobs, other]) {
      expect((await store.get(ids[0]!))?.status).toBe("running");
      expect((await store.get(ids[1]!))?.status).toBe("queued");
    }
  });

  it("share the turn's pack with its cache hits; a purge finds the hits only, the reconciler the new jobs only", async () => {
    const [job, hitId] = await Promise.all([jobs.accept(queued()), hit(entry("a".repeat(64), ["token-a"]))]);
    expect(job.id.slice(0, 16)).toBe(hitId.slice(0, 16));
    expect(await jobs.servedBy("token-a")).toEqual([hitId]);
    expect(await jobs.openJobIds()).toEqual([job.id]);
    expect((await jobs.get(hitId))?.status).toBe("finished");
    expect((await jobs.get(job.id))?.status).toBe("queued");
  });

  it("start the next pack for a record too large for the open one, built again for its id there", async () => {
    const [small, large] = await Promise.all([jobs.accept(queued()), jobs.accept(queued(true))]);
    expect(large.id.slice(0, 16)).not.toBe(small.id.slice(0, 16));
    const [first, next] = await Promise.all(
      [small, large].map(async (r) => (await blobs.getText(packKey(r.id.slice(0, 16))))!),
    );
    // One line each.
    expect(first!.trimEnd().split("\n")).toHaveLength(1);
    expect(next!.trimEnd().split("\n")).toHaveLength(1);
    expect(new PackIndex(first!).record(small.id)).toBeDefined();
    expect(JSON.parse(new PackIndex(next!).record(large.id)!)).toMatchObject({ id: large.id });
    expect((await jobs.get(large.id))?.request.layers).toHaveLength(32);
  });

  it("fail every new job of a pack the disk refuses; a later turn's are saved", async () => {
    writeFileSync(join(dir, "hit-packs"), "");
    const results = await Promise.allSettled([jobs.accept(queued()), jobs.accept(queued())]);
    for (const r of results) expect(r.status).toBe("rejected");
    rmSync(join(dir, "hit-packs"));
    const record = await jobs.accept(queued());
    expect((await jobs.get(record.id))?.status).toBe("queued");
  });

  it("are one object each where packs are off (a Workers isolate)", async () => {
    const single = new BlobJobStore(blobs);
    const record = await single.accept(queued());
    expect(await blobs.head(jobKey(record.id))).not.toBeNull();
    expect(await single.openJobIds()).toEqual([record.id]);
  });
});

describe("the reconciler over new jobs in packs", () => {
  it("reads each pack once in a pass, in whatever order the store lists the open markers", async () => {
    // More packs than a store keeps in memory, two new jobs each, read by a store that saved none of them.
    const packs = PACK_MEMO_SIZE + 6;
    for (let t = 0; t < packs; t++) await Promise.all([jobs.accept(queued()), jobs.accept(queued())]);
    const packReads: string[] = [];
    const counting: BlobStore = {
      get: (key) => blobs.get(key),
      getText: (key, options) => {
        if (key.startsWith("hit-packs/")) packReads.push(key);
        return blobs.getText(key, options);
      },
      head: (key) => blobs.head(key),
      delete: (key) => blobs.delete(key),
      // Listed in an order that mixes the packs (by the ids' own halves), as a folder's listing may be.
      list: async (prefix) =>
        (await blobs.list(prefix)).sort((a, b) => (a.slice(-16) < b.slice(-16) ? -1 : 1)),
      put: (key, body, options) => blobs.put(key, body, options),
    };
    const reader = new BlobJobStore(counting, { packRecords: true });
    const redis = new Redis(inject("redisUrl"));
    try {
      const repair = new RedisQueueRepair({ redis, prefix: `packs-${newId().slice(0, 10)}:`, jobs: reader });
      const report = await new Reconciler(reader, repair, () => {}).reconcile();
      // The queue never had them: every one is queued again, its record read from its pack.
      expect(report.open).toBe(2 * packs);
      expect(report.requeued).toHaveLength(2 * packs);
      expect(packReads).toHaveLength(packs);
      expect(new Set(packReads).size).toBe(packs);
    } finally {
      redis.disconnect();
    }
  });
});
