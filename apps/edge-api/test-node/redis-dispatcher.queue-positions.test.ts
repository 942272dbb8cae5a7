// Status reads' queue positions on the Redis dispatcher: the ones asked in one event-loop turn cost one command
// (queue-positions.ts), and each answer is what a ZRANK of its own gives.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { RedisDispatcher } from "../src/adapters/dispatcher/redis/dispatcher.ts";
import { redisKeys } from "../src/adapters/dispatcher/redis/keys.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { newId } from "../src/jobs/job-id.ts";
import { leasePolicy } from "../src/jobs/lease.ts";
import { demoJobRecord } from "../test-support/dispatcher-fixtures.ts";
import { commandsOf } from "../test-support/redis-commands-sent.ts";

const redisUrl = inject("redisUrl");
const dir = mkdtempSync(join(tmpdir(), "qmk-edge-queue-positions-"));
const jobs = new BlobJobStore(new FsBlobStore(dir));
const admin = new Redis(redisUrl);
const open: RedisDispatcher[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await admin.quit();
  rmSync(dir, { recursive: true, force: true });
});

async function queueOf(n: number): Promise<{ d: RedisDispatcher; prefix: string; ids: string[] }> {
  const prefix = `qp-${newId().slice(0, 10)}:`;
  const d = new RedisDispatcher({ redisUrl, jobs, prefix, lease: leasePolicy(60) });
  open.push(d);
  const ids: string[] = [];
  for (let k = 0; k < n; k++) {
    const record = demoJobRecord({ keymap: `qp_${k}` });
    await jobs.put(record);
    await d.enqueue(record);
    ids.push(record.id);
  }
  return { d, prefix, ids };
}

describe("RedisDispatcher: queue positions", () => {
  it("answers the polls of one turn with one command, each as its own ZRANK would", async () => {
    const { d, prefix, ids } = await queueOf(5);
    const { waiting } = redisKeys(prefix);
    // Ids in an order of their own, one asked three times, one never queued.
    const asked = [ids[3]!, ids[0]!, ids[3]!, newId(), ids[4]!, ids[3]!, ids[1]!];
    const { result, sent } = await commandsOf(d, () => Promise.all(asked.map((id) => d.queuePosition(id))));
    expect(sent).toEqual(["evalsha"]);
    const own = await Promise.all(asked.map((id) => admin.zrank(waiting, id)));
    expect(result).toEqual(own);
    expect(result).toEqual([3, 0, 3, null, 4, 3, 1]);
    // queueView, what the status route calls, goes through the same batch.
    const views = await commandsOf(d, () =>
      Promise.all(ids.map(async (id) => (await d.queueView((await jobs.get(id))!)).queuePosition)),
    );
    expect(views.result).toEqual([0, 1, 2, 3, 4]);
    expect(views.sent.filter((c) => c === "evalsha" || c === "zrank")).toEqual(["evalsha"]);
  });

  it("sends a lone poll's ZRANK itself, and the next turn's lookups see the queue as it is then", async () => {
    const { d, prefix, ids } = await queueOf(3);
    const alone = await commandsOf(d, () => d.queuePosition(ids[2]!));
    expect(alone).toEqual({ result: 2, sent: ["zrank"] });
    await admin.zrem(redisKeys(prefix).waiting, ids[0]!);
    const next = await commandsOf(d, () => Promise.all(ids.map((id) => d.queuePosition(id))));
    expect(next).toEqual({ result: [null, 0, 1], sent: ["evalsha"] });
  });
});
