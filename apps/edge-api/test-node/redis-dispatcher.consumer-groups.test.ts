// A lane's consumer group is created with its stream, once, not tried again by every enqueue (each try after the
// first was an error reply, BUSYGROUP, raised and caught inside Redis); and a stream that lost its group, or Redis
// that lost everything, still has its jobs leased. Counted on a redis-server of this file's own (its command and
// error statistics are per server).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LeaseHolder } from "@qmk-edge/schema";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../../../test/servers/redis.ts";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { RedisDispatcher } from "../src/adapters/dispatcher/redis/dispatcher.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { newId } from "../src/jobs/job-id.ts";
import { leasePolicy } from "../src/jobs/lease.ts";
import { demoJobRecord, leaseRequest } from "../test-support/dispatcher-fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "qmk-edge-consumer-groups-"));
const jobs = new BlobJobStore(new FsBlobStore(dir));
const fleet: LeaseHolder = { token_id: "fleet", trust: "trusted" };
const open: RedisDispatcher[] = [];
let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await admin.quit();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function dispatcher(): { d: RedisDispatcher; prefix: string } {
  const prefix = `cg-${newId().slice(0, 10)}:`;
  const d = new RedisDispatcher({ redisUrl: server.url, jobs, prefix, lease: leasePolicy(60) });
  open.push(d);
  return { d, prefix };
}

async function submit(d: RedisDispatcher, keymap: string): Promise<string> {
  const record = demoJobRecord({ keymap });
  await jobs.put(record);
  await d.enqueue(record);
  return record.id;
}

// `INFO <section>` as name -> value lines (`cmdstat_xgroup|create:calls=3,...`).
async function info(section: "commandstats" | "errorstats"): Promise<Map<string, string>> {
  const text = await admin.info(section);
  const lines = text.split("\r\n").filter((l) => l.includes(":") && !l.startsWith("#"));
  return new Map(lines.map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]));
}

const callsOf = (stats: Map<string, string>, command: string) =>
  Number(/calls=(\d+)/.exec(stats.get(`cmdstat_${command}`) ?? "")?.[1] ?? 0);

async function leaseAll(d: RedisDispatcher, agent: string): Promise<string[]> {
  const leased: string[] = [];
  for (;;) {
    const lease = await d.lease(leaseRequest(agent), fleet);
    if (!lease) return leased;
    leased.push(lease.job.id);
  }
}

describe("RedisDispatcher: consumer groups", () => {
  it("creates a lane's group once with its stream: 20 enqueues make one XGROUP CREATE and no BUSYGROUP", async () => {
    const { d, prefix } = dispatcher();
    await admin.config("RESETSTAT");
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) ids.push(await submit(d, `once_${n}`));
    expect(callsOf(await info("commandstats"), "xgroup|create")).toBe(1);
    expect((await info("errorstats")).has("errorstat_BUSYGROUP")).toBe(false);
    expect(await admin.xlen(`${prefix}stream:demo-1:any`)).toBe(20);
    expect(new Set(await leaseAll(d, "once"))).toEqual(new Set(ids));
  });

  it("leases the jobs enqueued after Redis lost its data, the stream and its group with it", async () => {
    const { d } = dispatcher();
    const before = await submit(d, "before_flush");
    expect(await leaseAll(d, "flush")).toEqual([before]);
    await admin.flushall();
    const after = [await submit(d, "after_flush_1"), await submit(d, "after_flush_2")];
    expect(await leaseAll(d, "flush")).toEqual(after);
  });

  it("leases the jobs of a stream whose group was destroyed: the next lease creates it again", async () => {
    const { d, prefix } = dispatcher();
    const stream = `${prefix}stream:demo-1:any`;
    const first = await submit(d, "destroyed_1");
    expect(await leaseAll(d, "destroy")).toEqual([first]);
    await admin.xgroup("DESTROY", stream, "agents");
    await admin.config("RESETSTAT");
    const later = [await submit(d, "destroyed_2"), await submit(d, "destroyed_3")];
    // The enqueues find the stream and leave it as it is; the lease makes the group again, once.
    expect(callsOf(await info("commandstats"), "xgroup|create")).toBe(0);
    expect(await leaseAll(d, "destroy")).toEqual(later);
    expect(callsOf(await info("commandstats"), "xgroup|create")).toBe(1);
    const groups = (await admin.xinfo("GROUPS", stream)) as unknown[][];
    expect(groups.map((g) => g[g.indexOf("name") + 1])).toEqual(["agents"]);
  });
});
