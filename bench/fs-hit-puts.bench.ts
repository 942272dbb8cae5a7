// A build-cache hit's writes in the directory store with its journal, without HTTP: a `served/` marker (empty,
// a first write) and a ~2.5 KB finished record (a first write) put together, as POST /v1/compile puts them,
// BENCH_CONCURRENCY (50) hits at a time, BENCH_PUTS (6000) hits after 1000 not counted. CPU is this process's
// (process.cpuUsage), so it is robust to other load; BENCH_DIR (default /dev/shm, where a file create costs the
// same every run) is where the store lives. Not part of `npm run -s bench`:
//   node bench/fs-hit-puts.bench.ts
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FsBlobStore } from "@qmk-edge/edge-api/src/adapters/blob-store/fs.ts";

const round = (n: number, digits: number) => Number(n.toFixed(digits));

const hits = Number(process.env.BENCH_PUTS ?? 6000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? "/dev/shm", "qmk-edge-hit-puts-"));
try {
  const store = new FsBlobStore(dir, { journal: true });
  const id = (i: number) => `${i.toString(16).padStart(32, "0")}`;
  // A finished record's size and share of characters JSON escapes in a journal line (the record is JSON).
  const record = (i: number) =>
    JSON.stringify({ id: id(i), status: "finished", artifacts: '"x":"y",'.repeat(300) });
  let next = 0;
  const run = (upTo: number) =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < upTo) {
          const i = next++;
          await Promise.all([
            store.put(`served/token/${id(i)}`, "", { contentType: "text/plain", firstWrite: true }),
            store.put(`jobs/${id(i)}.json`, record(i), { contentType: "application/json", firstWrite: true }),
          ]);
        }
      }),
    );
  await run(1000);
  const before = store.journalStats()!;
  const cpu = process.cpuUsage();
  await run(1000 + hits);
  const used = process.cpuUsage(cpu);
  const after = store.journalStats()!;
  console.log(
    JSON.stringify({
      hits,
      concurrency,
      cpu_us_per_hit: round((used.user + used.system) / hits, 1),
      user_us_per_hit: round(used.user / hits, 1),
      lines_per_commit: round((after.lines - before.lines) / (after.commits - before.commits), 1),
    }),
  );
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
