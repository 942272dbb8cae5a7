// A job's first record saved in the directory store with its journal, without HTTP, as POST /v1/compile saves
// it: a build-cache hit (BlobJobStore.createCacheHit: a finished record of ~2.5 KB, one producer token) and a
// new job (BlobJobStore.accept: a queued record, its `open/` marker). BENCH_CONCURRENCY (50) at a time,
// BENCH_PUTS (6000) after 1000 not counted; the baseline, one record and its markers per job (a store without
// packs, as on Workers), in the same run, then records in packs (as on Node: adapters/job-store/record-packs.ts).
// CPU is this process's (process.cpuUsage), so it is robust to other load; BENCH_DIR (default /dev/shm, where a
// file create costs the same every run) is where the stores live. Not part of `npm run -s bench`:
//   node bench/fs-first-records.bench.ts
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FsBlobStore } from "@qmk-edge/edge-api/src/adapters/blob-store/fs.ts";
import { BlobJobStore } from "@qmk-edge/edge-api/src/adapters/job-store/blob.ts";
import { cachedJobRecord } from "@qmk-edge/edge-api/src/jobs/build-cache.ts";
import { newJobRecord } from "@qmk-edge/edge-api/src/jobs/lifecycle.ts";
import { cacheEntryOf } from "@qmk-edge/edge-api/test-support/cache-entry.ts";
import { parseCompileRequest } from "@qmk-edge/keymap";
import type { JobRecord } from "@qmk-edge/schema";

const round = (n: number, digits: number) => Number(n.toFixed(digits));

const puts = Number(process.env.BENCH_PUTS ?? 6000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const NOW = "2026-12-07T08:00:00.000Z";
const cache = cacheEntryOf({ contentKey: "a".repeat(64), tokens: ["token"], at: NOW });
// A finished record of a 4-layer keymap for a 61-key board, answered from `cache` as the route builds it.
const parsed = parseCompileRequest({
  keyboard: "handwired/qmk_edge_demo",
  keymap: "bench",
  layout: "LAYOUT",
  layers: Array.from({ length: 4 }, () => Array.from({ length: 61 }, () => "KC_TRNS")),
});
if (!parsed.ok) throw new Error("the bench's keymap is not a valid compile request");
const request = parsed.value;
const hit = (id: string): JobRecord => cachedJobRecord({ id, request, cache, now: NOW });
const queued = (id: string): JobRecord =>
  newJobRecord({
    id,
    request,
    contentKey: "b".repeat(64),
    firmwareVersion: "demo-1",
    maxAttempts: 3,
    now: NOW,
  });
const saves = {
  hit: (jobs: BlobJobStore) => jobs.createCacheHit(hit, ["token"]),
  new_job: (jobs: BlobJobStore) => jobs.accept(queued),
};

async function measure(kind: keyof typeof saves, packRecords: boolean) {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? "/dev/shm", "qmk-edge-hit-puts-"));
  const blobs = new FsBlobStore(dir, { journal: true });
  try {
    const jobs = new BlobJobStore(blobs, { packRecords });
    let next = 0;
    const run = (upTo: number) =>
      Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < upTo) {
            next++;
            await saves[kind](jobs);
          }
        }),
      );
    await run(1000);
    const before = blobs.journalStats()!;
    const cpu = process.cpuUsage();
    await run(1000 + puts);
    const used = process.cpuUsage(cpu);
    const after = blobs.journalStats()!;
    return {
      cpu_us_per_put: round((used.user + used.system) / puts, 1),
      user_us_per_put: round(used.user / puts, 1),
      lines_per_put: round((after.lines - before.lines) / puts, 2),
      lines_per_commit: round((after.lines - before.lines) / (after.commits - before.commits), 1),
    };
  } finally {
    await blobs.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results: Record<string, unknown> = { puts, concurrency };
for (const kind of ["hit", "new_job"] as const) {
  const baseline = await measure(kind, false);
  const packed = await measure(kind, true);
  results[kind] = {
    one_object_each: baseline,
    in_packs: packed,
    cpu_ratio: round(packed.cpu_us_per_put / baseline.cpu_us_per_put, 2),
  };
}
console.log(JSON.stringify(results));
