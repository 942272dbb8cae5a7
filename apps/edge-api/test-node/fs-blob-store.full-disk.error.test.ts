// A full or read-only disk under the directory store, on a real 600 KiB tmpfs (issue 19): nothing published
// is ever partial, a write the disk cannot take is a 503 before a job is accepted, an agent's upload that
// cannot be stored is refused and retried without being recorded, and every accepted job still finishes.
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { CompileStatus } from "@qmk-edge/schema";
import { afterEach, describe, expect, inject, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { decodeSegment } from "../src/adapters/blob-store/fs-journal-replay.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { UnavailableError } from "../src/jobs/errors.ts";
import { newId } from "../src/jobs/job-id.ts";
import { loadNodeConfig } from "../src/node/config.ts";
import { type NodeServer, startNodeServer } from "../src/node/main.ts";
import { readBlobText } from "../src/ports/blob-store.ts";
import { httpFetch } from "../test-support/http-fetch.ts";
import { RetryingAgent } from "../test-support/retrying-agent.ts";
import { mountTmpfs, type Tmpfs, tmpfsUnavailable } from "../test-support/tmpfs.ts";

const skip = tmpfsUnavailable();
if (skip) console.log(`skipping the full-disk tests: ${skip}`);

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const TOKEN = "full-disk-agent-token";

let disk: Tmpfs | null = null;
let api: NodeServer | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
  disk?.unmount();
  disk = null;
});

// Fills the disk with one file until it takes no more: a second file then gets ENOSPC at once.
function fill(dir: string, leaveBytes = 0): string {
  const path = join(dir, `filler-${newId().slice(0, 6)}`);
  const fd = openSync(path, "w");
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    closeSync(fd);
  }
  if (leaveBytes > 0) {
    const free = openSync(path, "r+");
    ftruncateSync(free, Math.max(0, fstatSync(free).size - leaveBytes));
    closeSync(free);
  }
  return path;
}

describe.skipIf(skip !== null)("FsBlobStore on a full 600 KiB tmpfs", () => {
  it("publishes every object whole or not at all, and says 503 (UnavailableError) for what it refused", async () => {
    disk = mountTmpfs(600);
    const store = new FsBlobStore(join(disk.dir, "blobs"));
    const stored = new Map<string, Uint8Array>();
    let refused: unknown = null;
    // 100 KiB objects, one at a time, until the disk is full (about the sixth).
    for (let i = 0; i < 12 && refused === null; i++) {
      const bytes = randomBytes(100 * 1024 + 100);
      const key = `artifacts/${sha256(bytes)}`;
      try {
        await store.put(key, bytes, { contentType: "application/octet-stream", sha256: sha256(bytes) });
        stored.set(key, bytes);
      } catch (err) {
        refused = err;
        expect(await store.head(key)).toBeNull();
      }
    }
    expect(refused).toBeInstanceOf(UnavailableError);
    expect(String((refused as Error).message)).toMatch(/ENOSPC/);
    expect(stored.size).toBeGreaterThan(2);
    for (const [key, bytes] of stored) {
      const got = await store.get(key);
      const body = new Uint8Array(await new Response(got!.body).arrayBuffer());
      expect(body.byteLength).toBe(bytes.byteLength);
      expect(sha256(body)).toBe(sha256(bytes));
    }
    // Once the last pages are taken, a small record no longer fits either; nothing half-written stays behind.
    fill(disk.dir);
    await expect(
      store.put("jobs/x.json", JSON.stringify({ pad: "x".repeat(20_000) }), {
        contentType: "application/json",
      }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(await store.head("jobs/x.json")).toBeNull();
    expect(readdirSync(join(disk.dir, "blobs", ".tmp"))).toEqual([]);
  });

  it("refuses a journaled overwrite the disk cannot take (503): the record stays as it was, now and after replay", async () => {
    disk = mountTmpfs(600);
    const root = join(disk.dir, "blobs");
    const first = new FsBlobStore(root, { journal: true });
    const SERIAL = { contentType: "application/json", serialized: true };
    await first.put("jobs/a.json", '{"status":"queued"}', {
      contentType: "application/json",
      firstWrite: true,
    });
    await first.put("jobs/a.json", '{"status":"running"}', SERIAL);
    const segmentsNow = () => readdirSync(join(root, ".journal")).filter((n) => n.endsWith(".log"));
    const [segment] = segmentsNow();
    const linesOf = (name: string) => readFileSync(join(root, ".journal", name));
    const before = linesOf(segment!);
    const filler = fill(disk.dir);
    // Too long for what is left of the segment's last page: the commit fails.
    const finished = JSON.stringify({ status: "finished", pad: "x".repeat(20_000) });
    await expect(first.put("jobs/a.json", finished, SERIAL)).rejects.toBeInstanceOf(UnavailableError);
    expect(await readBlobText(first, "jobs/a.json")).toBe('{"status":"running"}');
    expect(readdirSync(join(root, ".tmp"))).toEqual([]);
    unlinkSync(filler);
    // Space is back: the next put goes to a new segment; nothing follows the failed commit in its own.
    await first.put("jobs/b.json", '{"status":"queued"}', {
      contentType: "application/json",
      firstWrite: true,
    });
    expect(decodeSegment(linesOf(segment!))).toEqual(decodeSegment(before));
    expect(segmentsNow().length).toBeGreaterThan(1);
    await first.close();
    const second = new FsBlobStore(root, { journal: true });
    expect(await readBlobText(second, "jobs/a.json")).toBe('{"status":"running"}');
    await second.put("jobs/a.json", finished, SERIAL);
    expect(await readBlobText(second, "jobs/a.json")).toBe(finished);
    await second.close();
  });

  it("refuses a write on a read-only disk with UnavailableError and still reads what it holds", async () => {
    disk = mountTmpfs(600);
    const store = new FsBlobStore(join(disk.dir, "blobs"));
    await store.put("jobs/a.json", '{"a":1}', { contentType: "application/json" });
    disk.remount("ro");
    await expect(store.put("jobs/b.json", "{}", { contentType: "application/json" })).rejects.toBeInstanceOf(
      UnavailableError,
    );
    expect(await new Response((await store.get("jobs/a.json"))!.body).text()).toBe('{"a":1}');
    disk.remount("rw");
  });
});

async function startApi(dir: string, bytesPerOpenJob: number): Promise<NodeServer> {
  const run = newId().slice(0, 8);
  return await startNodeServer(
    loadNodeConfig({
      PORT: "0",
      REDIS_URL: inject("redisUrl"),
      REDIS_PREFIX: `full-${run}:`,
      BLOB_DIR: dir,
      BLOB_DIR_BYTES_PER_OPEN_JOB: String(bytesPerOpenJob),
      AGENT_TOKENS: TOKEN,
      FIRMWARE_VERSION: "demo-1",
      RATE_LIMIT_PER_MINUTE: "100000",
    }),
    { reaper: false },
  );
}

const keymapBody = (i: number) =>
  JSON.stringify({
    keyboard: "handwired/qmk_edge_demo",
    keymap: `full_${i}`,
    layout: "LAYOUT_ortho_2x2",
    layers: [["KC_A", "KC_B", "KC_C", ["KC_D", "KC_E", "KC_F", "KC_G"][i % 4]]],
    notes: `job ${i} ${"n".repeat(i)}`,
  });

const post = (url: string, body: string) =>
  httpFetch(`${url}/v1/compile`, { method: "POST", headers: { "content-type": "application/json" }, body });

async function statusOf(url: string, id: string): Promise<CompileStatus> {
  const res = await httpFetch(`${url}/v1/compile/${id}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as CompileStatus;
}

describe.skipIf(skip !== null)("the Node API on a nearly full 600 KiB tmpfs", () => {
  it("accepts only what it can finish: refusals are 503 JSON with Retry-After, every accepted job finishes", async () => {
    disk = mountTmpfs(600);
    const blobs = join(disk.dir, "blobs");
    // Each open job keeps 40 KiB (on tmpfs every small file takes a 4 KiB page: record, marker, 3 artifacts,
    // cache entry, the temp file of each rewrite); the disk is nearly full, about 320 KiB left.
    api = await startApi(blobs, 40 * 1024);
    fill(disk.dir, 320 * 1024);

    const accepted: string[] = [];
    const refusals: Response[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await post(api.url, keymapBody(i));
      if (res.status === 200) accepted.push(((await res.json()) as { job_id: string }).job_id);
      else refusals.push(res);
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(refusals.length).toBeGreaterThan(0);
    for (const res of refusals) {
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      const body = (await res.json()) as { code: number; message: string };
      expect(body.code).toBe(503);
    }

    const agent = new RetryingAgent({
      baseUrl: api.url,
      token: TOKEN,
      id: "full-agent",
      firmwareVersion: "demo-1",
    });
    for (;;) {
      const lease = await agent.lease(0);
      if (!lease) break;
      expect(await agent.build(lease)).toBe(true);
    }
    for (const id of accepted) {
      const status = await statusOf(api.url, id);
      expect(status.status, `${id}: ${status.failure_reason}`).toBe("finished");
      const firmware = await httpFetch(status.result!.firmware_binary_url[0]!);
      expect(firmware.status).toBe(200);
      await firmware.body?.cancel();
    }
  }, 60_000);

  it("refuses an agent's upload the disk cannot take (503), records nothing, and takes the retry once space is back", async () => {
    disk = mountTmpfs(600);
    const blobs = join(disk.dir, "blobs");
    api = await startApi(blobs, 0);
    const res = await post(api.url, keymapBody(1));
    expect(res.status).toBe(200);
    const { job_id: id } = (await res.json()) as { job_id: string };
    const refusedUploads: string[] = [];
    const agent = new RetryingAgent({
      baseUrl: api.url,
      token: TOKEN,
      id: "upload-agent",
      firmwareVersion: "demo-1",
      onRetry: (what, reason) => {
        if (what === "upload firmware") refusedUploads.push(reason);
      },
    });
    const lease = await agent.lease(0);
    expect(lease?.job.id).toBe(id);
    const filler = fill(disk.dir);

    const firmware = randomBytes(64 * 1024);
    const uploading = agent.upload(lease!, "firmware", firmware);
    while (refusedUploads.length < 3) await new Promise((r) => setTimeout(r, 20));
    expect(refusedUploads.every((r) => r === "HTTP 503")).toBe(true);
    // The record is intact and names no artifact; no object of those bytes exists. (The lease's running record
    // reaches the store 2 s after the lease, unless the full disk refuses it too: a status read shows it.)
    const store = new FsBlobStore(blobs);
    // Read as the API reads it: a new job's first record is in its turn's pack (record-packs.ts).
    const record = (await new BlobJobStore(store, { packRecords: true }).get(id))!;
    expect(["queued", "running"]).toContain(record.status);
    expect((await statusOf(api.url, id)).status).toBe("running");
    expect(record.artifacts).toEqual({});
    expect(await store.head(`artifacts/${sha256(firmware)}`)).toBeNull();

    unlinkSync(filler);
    expect((await uploading).status).toBe(200);
    expect(await agent.build(lease!, firmware)).toBe(true);
    const status = await statusOf(api.url, id);
    expect(status.status).toBe("finished");
    const download = await httpFetch(status.result!.firmware_binary_url[0]!);
    expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(firmware));
  }, 60_000);

  it("answers 503 JSON on a read-only disk before accepting, and still serves status", async () => {
    disk = mountTmpfs(600);
    api = await startApi(join(disk.dir, "blobs"), 0);
    const first = await post(api.url, keymapBody(2));
    expect(first.status).toBe(200);
    const { job_id: id } = (await first.json()) as { job_id: string };
    disk.remount("ro");
    const refused = await post(api.url, keymapBody(3));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).not.toBeNull();
    expect(((await refused.json()) as { code: number }).code).toBe(503);
    expect((await statusOf(api.url, id)).status).toBe("queued");
    disk.remount("rw");
  }, 30_000);
});
