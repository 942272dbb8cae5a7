// A new job is accepted only while the disk has room for every open job (BlobJobStore's reserve). Counting
// the open jobs lists open/, which grows with the queue: the count is listed again after a second while
// the disk is tight, and after OPEN_COUNT_ROOMY_MEMO_MS while what is free is over twice what it needs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobRecord } from "@qmk-edge/schema";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import {
  BlobJobStore,
  OPEN_COUNT_MEMO_MS,
  OPEN_COUNT_ROOMY_MEMO_MS,
  OPEN_FOLDER,
} from "../src/adapters/job-store/blob.ts";
import { UnavailableError } from "../src/jobs/errors.ts";
import type { BlobStore } from "../src/ports/blob-store.ts";

const PER_JOB = 1000;
let dir: string;
let fs: FsBlobStore;
let listings: number;
// What statfs would say, and how often it was asked; the rest is the directory store itself.
let free: number;
let statfsCalls: number;
let jobs: BlobJobStore;
let now: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qmk-edge-open-count-"));
  fs = new FsBlobStore(dir, { journal: true });
  listings = 0;
  statfsCalls = 0;
  const blobs: BlobStore = {
    get: (key) => fs.get(key),
    getText: (key, options) => fs.getText(key, options),
    head: (key) => fs.head(key),
    put: (key, body, options) => fs.put(key, body, options),
    delete: (key) => fs.delete(key),
    list: (prefix) => {
      if (prefix === "open/") listings++;
      return fs.list(prefix);
    },
    freeBytes: async () => {
      statfsCalls++;
      return free;
    },
  };
  jobs = new BlobJobStore(blobs, { bytesPerOpenJob: PER_JOB });
  now = Date.now();
  vi.spyOn(Date, "now").mockImplementation(() => now);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fs.close();
  rmSync(dir, { recursive: true, force: true });
});

// A queued record for the id the store picks.
const queued = (id: string) =>
  ({ id, status: "queued", created_at: "2026-12-07T00:00:00.000Z" }) as JobRecord;
const accept = () => jobs.accept(queued);

describe("BlobJobStore: the open jobs' count behind the reserve", () => {
  it("lists open/ again after 30 s while the disk is roomy, after 1 s once it is not", async () => {
    free = 1_000_000;
    await accept();
    await accept();
    expect(listings).toBe(1);
    now += OPEN_COUNT_ROOMY_MEMO_MS - 1;
    await accept();
    expect(listings).toBe(1);
    now += 1;
    await accept();
    expect(listings).toBe(2);

    // 4 open jobs and this one need 5,000 bytes: 9,000 free is under twice that.
    free = 9_000;
    now += OPEN_COUNT_MEMO_MS - 1;
    await accept();
    expect(listings).toBe(2);
    now += 1;
    await accept();
    expect(listings).toBe(3);
  });

  it("refuses with the count it listed, and sees another process's jobs within a second when tight", async () => {
    free = 1_000_000;
    await accept();
    expect(listings).toBe(1);
    // Another process accepts 5 jobs (their markers appear); then the disk fills up.
    for (let i = 0; i < 5; i++)
      await fs.put(`open/other${i}`, "", { contentType: "text/plain", firstWrite: true });
    free = 3_500;
    // Tight even by the count this process knows (its one job and this one need 2,000; 3,500 is under twice
    // that): listed again after a second, 6 open jobs found, refused.
    now += OPEN_COUNT_MEMO_MS;
    await expect(accept()).rejects.toBeInstanceOf(UnavailableError);
    expect(listings).toBe(2);
  });

  it("asks what is free once for the new jobs of one event-loop turn, again in the next turn", async () => {
    free = 1_000_000;
    await Promise.all(Array.from({ length: 5 }, () => accept()));
    expect(statfsCalls).toBe(1);
    await new Promise((r) => setImmediate(r));
    // The disk filled up since: the next turn's job sees it.
    free = 0;
    await expect(accept()).rejects.toBeInstanceOf(UnavailableError);
    expect(statfsCalls).toBe(2);
  });
});

describe("BlobJobStore: the open jobs' count from a directory store that counts open/", () => {
  it("counts another process's jobs within a second while tight, and lists open/ only for its files", async () => {
    await fs.close();
    fs = new FsBlobStore(dir, { journal: true, countedFolders: [OPEN_FOLDER] });
    const other = new FsBlobStore(dir, { journal: true, countedFolders: [OPEN_FOLDER] });
    let counts = 0;
    const listed = vi.spyOn(fs, "list");
    const counting = new BlobJobStore(
      {
        get: (key) => fs.get(key),
        getText: (key, options) => fs.getText(key, options),
        head: (key) => fs.head(key),
        put: (key, body, options) => fs.put(key, body, options),
        delete: (key) => fs.delete(key),
        list: (prefix) => fs.list(prefix),
        countKeys: (prefix) => {
          counts++;
          return fs.countKeys(prefix);
        },
        freeBytes: async () => free,
      },
      { bytesPerOpenJob: PER_JOB },
    );
    const acceptHere = () => counting.accept(queued);
    try {
      // Tight from the start: 1 job and this one need 2,000 bytes, 3,500 is under twice that.
      free = 3_500;
      await acceptHere();
      await acceptHere();
      expect(counts).toBe(1);
      for (let i = 0; i < 2; i++)
        await other.put(`open/other${i}`, "", { contentType: "text/plain", firstWrite: true });
      now += OPEN_COUNT_MEMO_MS;
      // 4 open (2 here, 2 there) and this one need 5,000.
      await expect(acceptHere()).rejects.toBeInstanceOf(UnavailableError);
      expect(counts).toBe(2);
      // open/ was listed once, for keys that are files of their own; the counts were links.
      expect(listed).toHaveBeenCalledTimes(1);
    } finally {
      await other.close();
    }
  });
});
