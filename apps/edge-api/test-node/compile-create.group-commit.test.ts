// POST /v1/compile on the directory store: what a job's id stands for goes into one group commit of the
// journal (one fdatasync, not one per object), markers' lines before the record's, and the id is answered only
// once all of them are durable and published. A cache hit: the served markers and the pack holding its finished
// record; a new job: the open marker and the pack holding its queued record.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCompileRequest } from "@qmk-edge/keymap";
import type { CacheEntry, CompileStatus } from "@qmk-edge/schema";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { decodeSegment } from "../src/adapters/blob-store/fs-journal-replay.ts";
import { cacheKey, jobKey } from "../src/adapters/job-store/blob.ts";
import { packKey } from "../src/adapters/job-store/record-packs.ts";
import { contentKey } from "../src/jobs/content-key.ts";
import { newId } from "../src/jobs/job-id.ts";
import { loadNodeConfig } from "../src/node/config.ts";
import { startNodeServer } from "../src/node/main.ts";
import { nodeSha256Hex } from "../src/node/sha256-hex.ts";
import { compileBody } from "../test-support/api-client.ts";
import { cacheEntryOf } from "../test-support/cache-entry.ts";
import { httpFetch } from "../test-support/http-fetch.ts";

const dir = mkdtempSync(join(tmpdir(), "qmk-edge-hit-commit-"));
const server = await startNodeServer(
  loadNodeConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    REDIS_URL: inject("redisUrl"),
    REDIS_PREFIX: `hit-${newId().slice(0, 10)}:`,
    BLOB_DIR: dir,
    AGENT_TOKENS: "hit-commit-agent-token-0001",
    FIRMWARE_VERSION: "demo-1",
    MAX_ATTEMPTS: "3",
    LEASE_SECONDS: "60",
    RATE_LIMIT_PER_MINUTE: "1000",
  }),
  { reaper: false },
);
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
const blobs = server.deps.blobs as FsBlobStore;

const NOW = "2026-12-06T10:00:00.000Z";
// An entry two community tokens produced (policy two-tokens), for the key the route computes for `body`.
async function cacheFor(body: unknown): Promise<CacheEntry> {
  const parsed = parseCompileRequest(body);
  if (!parsed.ok) throw new Error("test body is not a valid compile request");
  const key = await contentKey(parsed.value, "demo-1", nodeSha256Hex);
  return cacheEntryOf({
    contentKey: key,
    tokens: ["community-a", "community-b"],
    trust: "community",
    sha: "c".repeat(64),
    at: NOW,
  });
}

// The journal's lines in the order they were appended, across its segments (named in order of creation).
function journalKeys(): string[] {
  const journal = join(dir, ".journal");
  const segments = readdirSync(journal)
    .filter((name) => name.endsWith(".log"))
    .sort((a, b) => Number(a.split("~").at(-1)!.slice(0, -4)) - Number(b.split("~").at(-1)!.slice(0, -4)));
  return segments.flatMap((name) =>
    decodeSegment(readFileSync(join(journal, name))).map((d) =>
      d.kind === "put" ? d.entry.key : `abort:${d.key}`,
    ),
  );
}

const post = (body: unknown) =>
  httpFetch(`${server.url}/v1/compile`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("POST /v1/compile on the directory store", () => {
  it("makes the served markers and the pack holding the record durable in one group commit, markers first", async () => {
    const body = compileBody();
    const entry = await cacheFor(body);
    await server.deps.jobs.putCache(entry);
    expect(await blobs.getText(cacheKey(entry.content_key))).not.toBeNull();

    const before = blobs.journalStats()!;
    const res = await post(body);
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    const after = blobs.journalStats()!;

    // The hit's pack (adapters/job-store/record-packs.ts): its id is the job id's first half.
    const pack = job_id.slice(0, 16);
    expect(after.lines - before.lines).toBe(3);
    expect(after.commits - before.commits).toBe(1);
    expect(journalKeys().slice(-3)).toEqual([
      `served/community-a/${pack}.hits`,
      `served/community-b/${pack}.hits`,
      packKey(pack),
    ]);
    // Published before the answer: the record, and each producer's marker for a purge to find.
    expect(await server.deps.jobs.servedBy("community-a")).toContain(job_id);
    expect(await server.deps.jobs.servedBy("community-b")).toContain(job_id);
    const status = (await httpFetch(`${server.url}/v1/compile/${job_id}`).then((r) =>
      r.json(),
    )) as CompileStatus;
    expect(status.status).toBe("finished");
  });

  it("makes a new job's open marker and the pack holding its record durable in one group commit, the marker first", async () => {
    const before = blobs.journalStats()!;
    const res = await post(compileBody());
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    const after = blobs.journalStats()!;

    const pack = job_id.slice(0, 16);
    expect(after.lines - before.lines).toBe(2);
    expect(after.commits - before.commits).toBe(1);
    expect(journalKeys().slice(-2)).toEqual([`open/${job_id}`, packKey(pack)]);
    // No object of the job's own until its record changes (a lease writes one).
    expect(await blobs.head(jobKey(job_id))).toBeNull();
    expect(await server.deps.jobs.openJobIds()).toContain(job_id);
    expect((await server.deps.jobs.get(job_id))?.status).toBe("queued");
  });
});
