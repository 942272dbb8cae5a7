// What a lease, a heartbeat and a completion cost the Redis dispatcher in commands (each script is one command
// and one round trip), and the lease's one-script take when another transition holds the job's lock.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobRecord, LeaseHolder } from "@qmk-edge/schema";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { RedisDispatcher } from "../src/adapters/dispatcher/redis/dispatcher.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { LeaseLostError } from "../src/jobs/errors.ts";
import { newId } from "../src/jobs/job-id.ts";
import { leasePolicy } from "../src/jobs/lease.ts";
import { demoJobRecord, failedCompletion, leaseRequest } from "../test-support/dispatcher-fixtures.ts";
import { commandsOf } from "../test-support/redis-commands-sent.ts";

const redisUrl = inject("redisUrl");
const dir = mkdtempSync(join(tmpdir(), "qmk-edge-round-trips-"));
const jobs = new BlobJobStore(new FsBlobStore(dir));
const admin = new Redis(redisUrl);
const open: RedisDispatcher[] = [];
const fleet: LeaseHolder = { token_id: "fleet", trust: "trusted" };

afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await admin.quit();
  rmSync(dir, { recursive: true, force: true });
});

function dispatcher(): { d: RedisDispatcher; prefix: string } {
  const prefix = `rt-${newId().slice(0, 10)}:`;
  const d = new RedisDispatcher({ redisUrl, jobs, prefix, lease: leasePolicy(60) });
  open.push(d);
  return { d, prefix };
}

async function submit(d: RedisDispatcher, keymap: string): Promise<string> {
  const record = demoJobRecord({ keymap });
  await jobs.put(record);
  await d.enqueue(record);
  return record.id;
}

// The record as a status read shows it (routes/v1_compile_status.ts): a queued one through queueView.
async function shown(d: RedisDispatcher, id: string): Promise<JobRecord> {
  const stored = (await jobs.get(id))!;
  return stored.status === "queued" ? (await d.queueView(stored)).record : stored;
}

const agent = (id: string) => leaseRequest(id);
const failed = failedCompletion;

describe("RedisDispatcher: round trips per job", () => {
  it("leases a job in three commands, beats in two, completes in two", async () => {
    const { d } = dispatcher();
    // The first lease of a process creates the consumer groups and starts the shared watch: not counted.
    const warm = await d.lease(agent("a1"), fleet);
    expect(warm).toBeNull();
    const id = await submit(d, "k1");

    const leased = await commandsOf(d, () => d.lease(agent("a1"), fleet));
    expect(leased.result?.job.id).toBe(id);
    // One script (agent seen, entry taken, lock taken), the lease recorded, the lock released.
    expect(leased.sent).toEqual(["evalsha", "evalsha", "evalsha"]);
    // The running record waits in the lease row (lease-grant.ts): a status read shows it, the store gets it later.
    expect((await shown(d, id)).status).toBe("running");
    expect(await d.stats(60, "demo-1")).toMatchObject({ running: 1, agentsSeen: 1, agentsForVersion: 1 });

    const lease = leased.result!;
    const beat = await commandsOf(d, () =>
      d.heartbeat(id, { lease_id: lease.lease_id, stage: "compiling" }, fleet),
    );
    // Lock + lease row; after the record is saved, extend + claim + agent seen + unlock.
    expect(beat.sent).toEqual(["evalsha", "evalsha"]);

    const done = await commandsOf(d, () => d.complete(id, failed(lease), fleet));
    expect(done.result.status).toBe("failed");
    expect(done.sent).toEqual(["evalsha", "evalsha"]);
    expect(await d.stats(60, "demo-1")).toMatchObject({ queued: 0, running: 0 });
  });

  it("enqueues a new job in one command, into the lane its record or its keyboard's toolchain names", async () => {
    const { d, prefix } = dispatcher();
    const stream = (lane: string) => `${prefix}stream:demo-1:${lane}`;
    const lengths = async () =>
      Promise.all(["any", "avr", "arm"].map(async (lane) => admin.xlen(stream(lane))));

    // The connection's first commands and the script's load: not counted (another firmware version's queue).
    await d.enqueue({ ...demoJobRecord({ keymap: "warm" }), firmware_version: "warm-1" });
    const unknown = demoJobRecord({ keymap: "lane_any" });
    const first = await commandsOf(d, () => d.enqueue(unknown));
    expect(first.sent).toEqual(["evalsha"]);
    expect(await lengths()).toEqual([1, 0, 0]);

    // A keyboard an agent learned to be ARM goes to the arm lane; a record that names its toolchain, to that.
    await admin.hset(`${prefix}keyboard-toolchains`, unknown.request.keyboard, "arm");
    const learned = await commandsOf(d, () => d.enqueue(demoJobRecord({ keymap: "lane_arm" })));
    expect(learned.sent).toEqual(["evalsha"]);
    expect(await lengths()).toEqual([1, 0, 1]);
    await d.enqueue({ ...demoJobRecord({ keymap: "lane_avr" }), toolchain: "avr" });
    expect(await lengths()).toEqual([1, 1, 1]);
  });

  it("enqueues the new jobs of one turn in one command, each into its lane, each job once", async () => {
    const { d, prefix } = dispatcher();
    const warm = { ...demoJobRecord({ keymap: "warm" }), firmware_version: "warm-1" };
    await d.enqueue(warm);
    const stream = (lane: string) => `${prefix}stream:demo-1:${lane}`;
    await admin.hset(`${prefix}keyboard-toolchains`, demoJobRecord({}).request.keyboard, "arm");
    const records = [
      { ...demoJobRecord({ keymap: "t_avr" }), toolchain: "avr" as const },
      demoJobRecord({ keymap: "t_learned" }),
      { ...demoJobRecord({ keymap: "t_other" }), request: { ...demoJobRecord({}).request, keyboard: "x/y" } },
    ];
    // One record asked twice in the turn: enqueued once.
    const turn = await commandsOf(d, () => Promise.all([...records, records[0]!].map((r) => d.enqueue(r))));
    expect(turn.sent).toEqual(["evalsha"]);
    const entries = async (lane: string) =>
      (await admin.xrange(stream(lane), "-", "+")).map(([, fields]) => fields[1]);
    expect(await entries("avr")).toEqual([records[0]!.id]);
    expect(await entries("arm")).toEqual([records[1]!.id]);
    expect(await entries("any")).toEqual([records[2]!.id]);
    const waiting = async () => (await admin.zrange(`${prefix}waiting`, 0, -1)).sort();
    const all = [warm, ...records].map((r) => r.id).sort();
    expect(await waiting()).toEqual(all);
    // A later turn's enqueue of a waiting job adds nothing.
    await Promise.all(records.map((r) => d.enqueue(r)));
    expect(await waiting()).toEqual(all);
    expect(await Promise.all(["avr", "arm", "any"].map((lane) => admin.xlen(stream(lane))))).toEqual([
      1, 1, 1,
    ]);
  });

  it("fails only the job Redis refuses in a turn's command: the others are enqueued", async () => {
    const { d, prefix } = dispatcher();
    // A stream key that is not a stream: XADD answers WRONGTYPE for that version's jobs only.
    await admin.set(`${prefix}stream:broken-1:any`, "not a stream");
    const good = [demoJobRecord({ keymap: "ok_1" }), demoJobRecord({ keymap: "ok_2" })];
    const bad = { ...demoJobRecord({ keymap: "refused" }), firmware_version: "broken-1" };
    const results = await Promise.allSettled([good[0]!, bad, good[1]!].map((r) => d.enqueue(r)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
    expect((await admin.zrange(`${prefix}waiting`, 0, -1)).sort()).toEqual(good.map((r) => r.id).sort());
  });

  it("counts an agent as seen on a lease that finds no job", async () => {
    const { d } = dispatcher();
    expect(await d.lease(agent("idle"), fleet)).toBeNull();
    expect(await d.stats(60, "demo-1")).toMatchObject({ agentsSeen: 1, agentsForVersion: 1 });
  });

  it("waits for a job whose lock another transition holds, then leases it", async () => {
    const { d, prefix } = dispatcher();
    const id = await submit(d, "k2");
    await admin.set(`${prefix}lock:${id}`, "another-process", "PX", 10_000);
    let answered = false;
    const leasing = d.lease(agent("a2"), fleet).then((lease) => {
      answered = true;
      return lease;
    });
    // The take delivered the entry but could not take the lock: the record is not touched while it is held.
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
    expect(answered).toBe(false);
    expect((await jobs.get(id))?.status).toBe("queued");
    expect(await admin.get(`${prefix}lock:${id}`)).toBe("another-process");

    await admin.del(`${prefix}lock:${id}`);
    const lease = await leasing;
    expect(lease?.job.id).toBe(id);
    expect((await shown(d, id)).status).toBe("running");
    // The lease's own lock is gone once it answered.
    expect(await admin.exists(`${prefix}lock:${id}`)).toBe(0);
  });

  it("a heartbeat in its one script extends the lease, claims the entry for the agent and counts it as seen", async () => {
    const { d, prefix } = dispatcher();
    const id = await submit(d, "k3");
    const lease = (await d.lease(agent("a3"), fleet))!;
    const stream = `${prefix}stream:demo-1:any`;
    const [[entry]] = (await admin.xpending(stream, "agents", "-", "+", 10)) as [[string, string]];
    // As if another consumer had claimed the entry and the agent had not been seen for long.
    await admin.xclaim(stream, "agents", "someone-else", 0, entry, "JUSTID");
    await admin.zadd(`${prefix}agents`, 1, "a3");
    await admin.zadd(`${prefix}agents:demo-1`, 1, "a3");

    const beat = await d.heartbeat(id, { lease_id: lease.lease_id, stage: "compiling" }, fleet);
    const pending = (await admin.xpending(stream, "agents", "-", "+", 10)) as [string, string][];
    expect(pending.map(([e, consumer]) => [e, consumer])).toEqual([[entry, "a3"]]);
    expect(Number(await admin.zscore(`${prefix}agents`, "a3"))).toBeGreaterThan(1);
    expect(Number(await admin.zscore(`${prefix}agents:demo-1`, "a3"))).toBeGreaterThan(1);
    expect(Number(await admin.hget(`${prefix}lease:${id}`, "expires_ms"))).toBe(
      Date.parse(beat.lease_expires_at),
    );
    expect(Number(await admin.zscore(`${prefix}leases`, id))).toBe(Date.parse(beat.lease_expires_at));
    expect(await admin.exists(`${prefix}lock:${id}`)).toBe(0);
    expect((await jobs.get(id))?.stage).toBe("compiling");
  });

  it("a heartbeat whose lease was lost under it answers LeaseLostError and releases the lock", async () => {
    const { d, prefix } = dispatcher();
    const id = await submit(d, "k4");
    const lease = (await d.lease(agent("a4"), fleet))!;
    await expect(
      d.heartbeat(id, { lease_id: "f".repeat(32), stage: "compiling" }, fleet),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await admin.exists(`${prefix}lock:${id}`)).toBe(0);
    expect(Number(await admin.hget(`${prefix}lease:${id}`, "expires_ms"))).toBe(
      Date.parse(lease.lease_expires_at),
    );
  });
});
