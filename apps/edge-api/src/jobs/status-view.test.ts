import type { JobRecord } from "@qmk-edge/schema";
import { afterEach, describe, expect, it, vi } from "vitest";
import { compileJobRecord } from "../../test-support/compile-job-record.ts";
import { failJob } from "./lifecycle.ts";
import { compileStatusOf, compileStatusText, publicBaseUrl } from "./status-view.ts";

const target = { firmwareVersion: "demo-1", maxAttempts: 3 };
const created = new Date("2026-12-06T20:00:00.000Z");
const later = (ms: number) => new Date(created.getTime() + ms);

// A finished record as the status read sees one: a result whose log holds quotes, braces, the age key itself
// and non-ASCII, every optional field the answer shows.
async function finishedRecord(): Promise<JobRecord> {
  const queued = await compileJobRecord(target, { now: created });
  const artifact = (kind: string) => ({
    key: `artifacts/${queued.id}/${kind}`,
    sha256: "a".repeat(64),
    size: 10,
    filename: `${kind}.bin`,
    content_type: "application/octet-stream",
  });
  return {
    ...queued,
    status: "finished",
    stage: null,
    attempts: 1,
    started_at: later(1_000).toISOString(),
    finished_at: later(9_000).toISOString(),
    artifacts: { firmware: artifact("firmware"), source: artifact("source"), log: artifact("log") },
    result: {
      returncode: 0,
      output: 'make: "age_seconds":12 {"age_seconds":3} \\ end — ok\n',
      command: "make handwired/edge_pad:qmk_edge",
      firmware_filename: "handwired_edge_pad_qmk_edge.bin",
      toolchain: null,
      timings: {},
    },
    built_by: { agent_id: "agent-1", token_id: "t1", trust: "trusted" },
    keycode_translations: [{ path: "layers.0.0", from: "RESET", to: "QK_BOOT" }],
    build_health_note: "this keyboard's default keymap failed to build",
  };
}

afterEach(() => vi.restoreAllMocks());

// Counts the URLs constructed until restored (a spy on the URL class itself is not a constructor).
function countUrlParses() {
  const scope = globalThis as unknown as { URL: typeof URL };
  const Real = scope.URL;
  let count = 0;
  scope.URL = class extends Real {
    constructor(...args: ConstructorParameters<typeof URL>) {
      super(...args);
      count++;
    }
  } as typeof URL;
  return {
    count: () => count,
    restore: () => {
      scope.URL = Real;
    },
  };
}

describe("compileStatusText", () => {
  it("is JSON.stringify(compileStatusOf(...)) byte for byte: queued, failed, finished, at any age", async () => {
    const queued = await compileJobRecord(target, { now: created });
    const failed = failJob(queued, 'no "agent" online', { now: later(5_000).toISOString() });
    const finished = await finishedRecord();
    const purged = { ...finished, purged: { at: later(20_000).toISOString(), token_id: "t1" } } as JobRecord;
    const undated = { ...finished, created_at: "not a date" } as JobRecord;
    for (const record of [queued, failed, finished, purged, undated]) {
      for (const queuePosition of record.status === "queued" ? [3, 0, null] : [null]) {
        for (const baseUrl of ["http://127.0.0.1:8787", "http://localhost"]) {
          for (const ms of [0, 49, 50, 149, 1_234, 86_400_000, -5_000, 3_600_050]) {
            const args = { baseUrl, now: later(ms), queuePosition };
            expect(compileStatusText(record, args)).toBe(JSON.stringify(compileStatusOf(record, args)));
          }
        }
      }
    }
  });

  it("serializes a record once per base URL and queue position, however often it is polled", async () => {
    const record = await finishedRecord();
    const stringify = vi.spyOn(JSON, "stringify");
    const texts = Array.from({ length: 20 }, (_, k) =>
      compileStatusText(record, { baseUrl: "http://127.0.0.1:1", now: later(k * 700), queuePosition: null }),
    );
    // One serialization of the view, then only the age (a number) is serialized per poll.
    const views = stringify.mock.calls.filter(([value]) => typeof value === "object");
    expect(views).toHaveLength(1);
    compileStatusText(record, { baseUrl: "http://localhost", now: later(0), queuePosition: null });
    expect(stringify.mock.calls.filter(([value]) => typeof value === "object")).toHaveLength(2);
    vi.restoreAllMocks();
    // Each poll's own age, the rest as the view says.
    expect(texts.map((text) => JSON.parse(text).age_seconds)).toEqual(
      Array.from({ length: 20 }, (_, k) => Math.round(k * 7) / 10),
    );
    expect(texts[19]).toBe(
      JSON.stringify(
        compileStatusOf(record, { baseUrl: "http://127.0.0.1:1", now: later(19 * 700), queuePosition: null }),
      ),
    );
  });

  it("builds the text again for a queued record whose position moved", async () => {
    const queued = await compileJobRecord(target, { now: created });
    const args = { baseUrl: "http://localhost", now: later(10) };
    const first = compileStatusText(queued, { ...args, queuePosition: 4 });
    const moved = compileStatusText(queued, { ...args, queuePosition: 2 });
    expect(JSON.parse(first).queue_position).toBe(4);
    expect(JSON.parse(moved).queue_position).toBe(2);
  });
});

describe("publicBaseUrl", () => {
  const direct = (url: string) => {
    const u = new URL(url);
    const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, "");
    const loopback = host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
    return loopback ? u.origin : "http://localhost";
  };
  const urls = [
    "http://127.0.0.1:8787/v1/compile/abc",
    "http://127.0.0.1:8787/v1/compile/def?x=1",
    "http://127.0.0.1:8788/v1/compile/abc",
    "https://127.0.0.1/v1",
    "http://LOCALHOST:80/v1",
    "http://[::1]:9000/v1/compile/x",
    "http://example.com/v1/compile/x",
    "http://example.com\\@127.0.0.1/v1",
    "http://127.0.0.1:1?q=/x",
    "http://127.0.0.1:1#/x",
    "http://127.0.0.1.evil.example/v1",
    "http://user@127.0.0.1:5/v1",
    "HTTP://127.0.0.1:6/v1",
    "http://127.0.0.1:7",
  ];

  it("answers what parsing the whole URL answers, the second time too", () => {
    for (const round of [1, 2]) {
      for (const url of urls)
        expect([round, url, publicBaseUrl(url, undefined)]).toEqual([round, url, direct(url)]);
    }
  });

  it("parses a URL once per authority, not once per request", () => {
    const parsed = countUrlParses();
    for (let k = 0; k < 50; k++) publicBaseUrl(`http://127.0.0.1:4321/v1/compile/${k}`, undefined);
    parsed.restore();
    expect(parsed.count()).toBe(1);
  });

  it("keeps a bounded number of authorities", () => {
    for (let k = 0; k < 1_000; k++) publicBaseUrl(`http://host-${k}.example/v1`, undefined);
    const parsed = countUrlParses();
    publicBaseUrl("http://host-0.example/v1", undefined);
    parsed.restore();
    // host-0 was pushed out by the thousand after it.
    expect(parsed.count()).toBe(1);
    expect(publicBaseUrl("http://127.0.0.1:4321/v1", "https://api.example/")).toBe("https://api.example");
  });
});
