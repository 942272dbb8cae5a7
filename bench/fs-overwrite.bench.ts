// One durable overwrite's CPU in the directory store (FsBlobStore.put of a 2 KB record, not a first write),
// BENCH_PUTS (2000) puts, BENCH_CONCURRENCY (50) at a time over 500 keys in one folder, as the job records are
// written. CPU is this process's, its main thread and libuv's pool together (process.cpuUsage), so it is
// robust to other load. Not part of `npm run -s bench`:
//   node bench/fs-overwrite.bench.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FsBlobStore } from "@qmk-edge/edge-api/src/adapters/blob-store/fs.ts";

const round = (n: number, digits: number) => Number(n.toFixed(digits));

const puts = Number(process.env.BENCH_PUTS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), "qmk-edge-overwrite-"));
try {
  const store = new FsBlobStore(dir, { journal: true });
  const record = (i: number) => JSON.stringify({ id: `job${i}`, state: "running", pad: "x".repeat(2000) });
  for (let i = 0; i < 500; i++)
    await store.put(`jobs/job${i}`, record(i), { contentType: "application/json" });
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < puts) {
        const i = next++;
        await store.put(`jobs/job${i % 500}`, record(i), { contentType: "application/json" });
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - start;
  console.log(
    JSON.stringify({
      puts,
      concurrency,
      cpu_ms_per_put: round((used.user + used.system) / 1000 / puts, 3),
      user_ms_per_put: round(used.user / 1000 / puts, 3),
      puts_per_s: round((puts / ms) * 1000, 0),
    }),
  );
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
