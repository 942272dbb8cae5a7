// A reconciler pass on Redis asks what the queue knows of its open jobs in one pipeline per 256
// (RedisQueueRepair.queueStates) and repairs, under each job's guard, only the jobs the queue does not know:
// a deep queue's periodic pass costs a round trip per 256 jobs, not several per job. What it skips, the
// guarded repair would have found known; what it repairs is what a pass repaired before.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobRecord } from "@qmk-edge/schema";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { RedisDispatcher } from "../src/adapters/dispatcher/redis/dispatcher.ts";
import { RedisQueueRepair } from "../src/adapters/dispatcher/redis/queue-repair.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { newId } from "../src/jobs/job-id.ts";
import { leasePolicy } from "../src/jobs/lease.ts";
import { type QueueRepair, Reconciler } from "../src/jobs/reconcile.ts";
import { demoJobRecord, leaseRequest } from "../test-support/dispatcher-fixtures.ts";

const redisUrl = inject("redisUrl");
const dir = mkdtempSync(join(tmpdir(), "qmk-edge-queue-states-"));
const blobs = new FsBlobStore(dir, { journal: true });
const jobs = new BlobJobStore(blobs, { packRecords: true });
const redis = new Redis(redisUrl);
afterAll(async () => {
  redis.disconnect();
  await blobs.close();
  rmSync(dir, { recursive: true, force: true });
});

// A new job of the store's choosing, as POST /v1/compile accepts it.
const accept = (keymap: string): Promise<JobRecord> =>
  jobs.accept((id) => ({ ...demoJobRecord({ keymap }), id }));

describe("a reconciler pass on Redis", () => {
  it("repairs under the job's guard only what the queue does not know", async () => {
    const prefix = `qs-${newId().slice(0, 10)}:`;
    const dispatcher = new RedisDispatcher({ redisUrl, jobs, prefix, lease: leasePolicy(60) });
    try {
      // 300 jobs the queue knows (more than one call's 256), one of them leased; 3 it never heard of.
      const known: string[] = [];
      for (let k = 0; k < 300; k++) {
        const record = await accept(`qs_${k}`);
        await dispatcher.enqueue(record);
        known.push(record.id);
      }
      const lease = await dispatcher.lease(leaseRequest("qs-agent"), { token_id: "t", trust: "trusted" });
      expect(known).toContain(lease?.job.id);
      const forgotten = [await accept("qs_lost_0"), await accept("qs_lost_1"), await accept("qs_lost_2")];

      const queue = new RedisQueueRepair({ redis, prefix, jobs });
      const repaired: string[] = [];
      const counting: QueueRepair = {
        lostState: () => queue.lostState(),
        markReconciled: () => queue.markReconciled(),
        queueStates: (ids) => queue.queueStates(ids),
        repair: (id) => {
          repaired.push(id);
          return queue.repair(id);
        },
      };
      const report = await new Reconciler(jobs, counting, () => {}).reconcile();
      expect(report.open).toBe(303);
      expect(repaired.sort()).toEqual(forgotten.map((r) => r.id).sort());
      expect(report.requeued.sort()).toEqual(repaired);
      // What it skipped, the guarded repair finds known, the leased job included.
      for (const id of [known[0]!, known[299]!, lease!.job.id]) expect(await queue.repair(id)).toBe("known");
      // The states it went by are the ones the guarded repair reads.
      expect(await queue.queueStates([lease!.job.id, forgotten[0]!.id, newId()])).toEqual([
        { waiting: false, leased: true },
        { waiting: true, leased: false },
        { waiting: false, leased: false },
      ]);
    } finally {
      await dispatcher.close();
    }
  });
});
