// Waiting lease polls share Redis connections (adapters/dispatcher/redis/entry-watch.ts): thousands of agents
// long-polling one API process hold its command connection and one watch connection, not one each.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LeaseHolder } from "@qmk-edge/schema";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { RedisDispatcher } from "../src/adapters/dispatcher/redis/dispatcher.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { newId } from "../src/jobs/job-id.ts";
import { leasePolicy } from "../src/jobs/lease.ts";
import { newJobRecord } from "../src/jobs/lifecycle.ts";

const WAITING = 2_000;
const redisUrl = inject("redisUrl");
const dir = mkdtempSync(join(tmpdir(), "qmk-edge-waiting-"));
const jobs = new BlobJobStore(new FsBlobStore(dir));
const admin = new Redis(redisUrl);
const holder: LeaseHolder = { token_id: "waiting-test", trust: "trusted" };

afterAll(async () => {
  await admin.quit();
  rmSync(dir, { recursive: true, force: true });
});

async function connectionsNamed(name: string): Promise<number> {
  const list = (await admin.client("LIST")) as string;
  return list.split("\n").filter((line) => line.includes(` name=${name} `)).length;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe("RedisDispatcher: waiting lease polls", () => {
  it(`holds ${WAITING} waiting agents on a handful of connections, and hands a new job to exactly one`, async () => {
    const name = `waiting-${newId().slice(0, 10)}`;
    const dispatcher = new RedisDispatcher({
      redisUrl,
      jobs,
      prefix: `${name}:`,
      lease: leasePolicy(60),
      connectionName: name,
    });
    try {
      const polls = Array.from({ length: WAITING }, (_, i) =>
        dispatcher.lease(
          { agent_id: `idle-${i}`, toolchains: ["avr"], firmware_version: "demo-1", wait_ms: 20_000 },
          holder,
        ),
      );
      const watch = (dispatcher as unknown as { leasing: { watch: { waiting: number } } }).leasing.watch;
      await until(() => watch.waiting === WAITING);
      expect(await connectionsNamed(name)).toBeLessThanOrEqual(3);

      const record = newJobRecord({
        id: newId(),
        request: { keyboard: "handwired/qmk_edge_demo", keymap: "k", layout: "LAYOUT", layers: [["KC_A"]] },
        contentKey: `${newId()}${newId()}`,
        firmwareVersion: "demo-1",
        maxAttempts: 3,
        now: new Date().toISOString(),
      });
      await jobs.put(record);
      await dispatcher.enqueue(record);
      const winner = await Promise.race(polls.map((p) => p.then((lease) => lease ?? new Promise(() => {}))));
      expect(winner).toMatchObject({ job: { id: record.id } });
      dispatcher.interruptWaits();
      const answers = await Promise.all(polls);
      expect(answers.filter((lease) => lease !== null)).toHaveLength(1);
    } finally {
      await dispatcher.close();
    }
  });
});
