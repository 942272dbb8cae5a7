// A job acknowledged with 200 survives a crash of the API in the middle of a burst of POSTs (issue 20): the
// API process is killed (SIGKILL) while 40 clients post, and then, as a power cut could, every file holding
// their records still named in a journal segment (written after its commit, never fsynced: the turns' packs)
// is emptied. The next start replays the journal: every acknowledged job reads back queued, whole, with the
// keymap it was sent. The same with agents leasing and completing (the record's overwrites, journaled too):
// every acknowledged lease and completion reads back, whether a power cut emptied the file or undid its last
// renames.
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileStatus } from "@qmk-edge/schema";
import { describe, expect, inject, it } from "vitest";
import { freePort } from "../../../test/servers/daemon.ts";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { HEADER_BYTES, JOURNAL_DIR, type JournalEntry } from "../src/adapters/blob-store/fs-format.ts";
import { decodeSegment } from "../src/adapters/blob-store/fs-journal-replay.ts";
import { BlobJobStore } from "../src/adapters/job-store/blob.ts";
import { packIdOf, packKey } from "../src/adapters/job-store/record-packs.ts";
import { httpFetch } from "../test-support/http-fetch.ts";
import { spawnNodeApi } from "../test-support/node-process.ts";

async function until(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const body = (i: number) =>
  JSON.stringify({
    keyboard: "handwired/qmk_edge_demo",
    keymap: `crash_${i}`,
    layout: "LAYOUT_ortho_2x2",
    layers: [["KC_A", "KC_B", "KC_C", "KC_D"]],
  });

describe("the Node API killed with SIGKILL during a burst of POSTs", () => {
  it("keeps every job it acknowledged with 200, even when the files written after the commit are lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qmk-edge-crash-"));
    const port = await freePort();
    const env = {
      PORT: String(port),
      REDIS_URL: inject("redisUrl"),
      REDIS_PREFIX: `crash-${port}:`,
      BLOB_DIR: dir,
      AGENT_TOKENS: "crash-test-agent-token",
      RATE_LIMIT_PER_MINUTE: "1000000",
    };
    const url = `http://127.0.0.1:${port}`;
    let api = spawnNodeApi(env);
    try {
      await until(() => api.output().includes("listening on"), 20_000, "the API to listen");
      const acknowledged = new Map<string, number>();
      let sent = 0;
      let stop = false;
      const client = async () => {
        while (!stop) {
          const i = sent++;
          const res = await httpFetch(`${url}/v1/compile`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: body(i),
          }).catch(() => null);
          if (res?.status === 200) acknowledged.set(((await res.json()) as { job_id: string }).job_id, i);
        }
      };
      const clients = Array.from({ length: 40 }, client);
      await until(() => acknowledged.size >= 200, 60_000, "200 acknowledged jobs");
      api.child.kill("SIGKILL");
      await api.exited;
      stop = true;
      await Promise.all(clients);

      // What a power cut may leave of files renamed without fsync: every one the journal still names, empty.
      const named = new Set<string>();
      for (const name of readdirSync(join(dir, JOURNAL_DIR)).filter((n) => n.endsWith(".log"))) {
        for (const line of decodeSegment(readFileSync(join(dir, JOURNAL_DIR, name))))
          if (line.kind === "put") named.add(line.entry.key);
      }
      // A new job's record is a line of its turn's pack (adapters/job-store/record-packs.ts).
      const packs = new Set<string>();
      for (const id of acknowledged.keys()) {
        const pack = packKey(packIdOf(id)!);
        expect(named.has(pack), `job ${id} acknowledged but its pack not in the journal`).toBe(true);
        packs.add(pack);
      }
      for (const key of packs) truncateSync(join(dir, ...key.split("/")), 0);

      api = spawnNodeApi(env);
      await until(() => api.output().includes("listening on"), 20_000, "the API to listen again");
      const store = new BlobJobStore(new FsBlobStore(dir), { packRecords: true });
      for (const [id, i] of acknowledged) {
        const res = await httpFetch(`${url}/v1/compile/${id}`);
        expect(res.status, `job ${id}`).toBe(200);
        const status = (await res.json()) as CompileStatus;
        expect(status.status).toBe("queued");
        expect((await store.get(id))?.request.keymap).toBe(`crash_${i}`);
      }
    } finally {
      api.child.kill("SIGKILL");
      await api.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("keeps every lease and completion it acknowledged, even when a power cut empties files or undoes renames", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qmk-edge-crash-"));
    const port = await freePort();
    const token = "crash-test-agent-token";
    const env = {
      PORT: String(port),
      REDIS_URL: inject("redisUrl"),
      REDIS_PREFIX: `crash-${port}:`,
      BLOB_DIR: dir,
      AGENT_TOKENS: token,
      RATE_LIMIT_PER_MINUTE: "1000000",
    };
    const url = `http://127.0.0.1:${port}`;
    const post = (path: string, payload: unknown) =>
      httpFetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(payload),
      });
    let api = spawnNodeApi(env);
    try {
      await until(() => api.output().includes("listening on"), 20_000, "the API to listen");
      const jobs: string[] = [];
      for (let i = 0; jobs.length < 120; i++) {
        const res = await httpFetch(`${url}/v1/compile`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: body(i),
        });
        expect(res.status).toBe(200);
        jobs.push(((await res.json()) as { job_id: string }).job_id);
      }

      const leased = new Map<string, string>();
      const completed = new Set<string>();
      let stop = false;
      const agent = async (n: number) => {
        while (!stop) {
          const lease = await post("/v1/agent/lease", {
            agent_id: `crash-agent-${n}`,
            toolchains: ["avr", "arm"],
            firmware_version: "demo-1",
            wait_ms: 0,
          }).catch(() => null);
          if (lease?.status !== 200) {
            await lease?.body?.cancel();
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          const { job, lease_id } = (await lease.json()) as { job: { id: string }; lease_id: string };
          leased.set(job.id, lease_id);
          const done = await post(`/v1/agent/jobs/${job.id}/complete`, {
            lease_id,
            status: "failed",
            returncode: 2,
            output: "crash test: failed at once",
            command: "make crash",
            firmware_filename: null,
            toolchain: "avr",
            timings: {},
          }).catch(() => null);
          if (done?.status === 200) completed.add(job.id);
          await done?.body?.cancel();
        }
      };
      const agents = Array.from({ length: 20 }, (_, n) => agent(n));
      await until(() => completed.size >= 40, 60_000, "40 acknowledged completions");
      // Three leases answered right before the kill, far less than LEASE_RECORD_DELAY_MS before it: their
      // running records are not in the store yet (adapters/dispatcher/redis/lease-grant.ts; on a machine slow
      // enough to take that long to answer, they are, and the rest of the test holds either way).
      await Promise.all(
        [0, 1, 2].map(async (n) => {
          const res = await post("/v1/agent/lease", {
            agent_id: `crash-holder-${n}`,
            toolchains: ["avr", "arm"],
            firmware_version: "demo-1",
            wait_ms: 0,
          });
          expect(res.status).toBe(200);
          const { job, lease_id } = (await res.json()) as { job: { id: string }; lease_id: string };
          leased.set(job.id, lease_id);
          return job.id;
        }),
      );
      api.child.kill("SIGKILL");
      await api.exited;
      stop = true;
      await Promise.all(agents);

      // Read as the API reads: a new job's first record is in its turn's pack (record-packs.ts), later ones
      // are the job's own object.
      const store = new BlobJobStore(new FsBlobStore(dir), { packRecords: true });
      const stored = async (id: string) => await store.get(id);

      // Every line per record key (a job's own, a pack's), oldest generation first.
      const lines = new Map<string, JournalEntry[]>();
      for (const name of readdirSync(join(dir, JOURNAL_DIR)).filter((n) => n.endsWith(".log"))) {
        for (const line of decodeSegment(readFileSync(join(dir, JOURNAL_DIR, name))))
          if (line.kind === "put" && /^(jobs|hit-packs)\//.test(line.entry.key))
            lines.set(line.entry.key, [...(lines.get(line.entry.key) ?? []), line.entry]);
      }
      for (const entries of lines.values()) entries.sort((a, b) => a.generation - b.generation);
      // A lease's running record waits in Redis (adapters/dispatcher/redis/lease-grant.ts): a job completed
      // at once has its completion in the journal, as its own object (its POST's record is in a pack).
      for (const id of completed) {
        const statuses = (lines.get(`jobs/${id}.json`) ?? []).map(
          (e) => JSON.parse(e.file.toString("utf8", HEADER_BYTES)).status,
        );
        expect(statuses.at(-1), `job ${id}: its completion is in the journal`).toBe("failed");
      }
      // What a power cut may leave of files renamed without fsync: half of them emptied, half set back to what
      // the key's oldest line wrote (whole, of an older generation: the later renames undone). A job's first
      // record of its own (its POST's is in a pack) that the kill caught before its rename has no file: it
      // stays missing, as the power cut would leave it.
      let i = 0;
      for (const [key, entries] of lines) {
        const path = join(dir, ...key.split("/"));
        if (i++ % 2 === 0) {
          if (existsSync(path)) truncateSync(path, 0);
          continue;
        }
        writeFileSync(path, entries[0]!.file);
      }

      api = spawnNodeApi(env);
      await until(() => api.output().includes("listening on"), 20_000, "the API to listen again");
      const statusOf = async (id: string) => {
        const res = await httpFetch(`${url}/v1/compile/${id}`);
        expect(res.status, `job ${id}`).toBe(200);
        return ((await res.json()) as CompileStatus).status;
      };
      for (const id of completed) expect(await statusOf(id), `job ${id} completed`).toBe("failed");
      const unfinished = [...leased.keys()].filter((id) => !completed.has(id));
      for (const id of unfinished) {
        // A completion in flight at the kill may have reached the journal without being acknowledged.
        expect(["running", "failed"], `job ${id} leased`).toContain(await statusOf(id));
      }
      // Leases the killed process answered, whose records it had not written yet: the new process writes them
      // (lease-records.ts), and each agent can still complete its job under its lease.
      const deadline = Date.now() + 30_000;
      while ((await Promise.all(unfinished.map(stored))).some((r) => r?.status === "queued")) {
        if (Date.now() > deadline) throw new Error("the leases' records never reached the store");
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const id of unfinished) {
        const done = await post(`/v1/agent/jobs/${id}/complete`, {
          lease_id: leased.get(id),
          status: "failed",
          returncode: 2,
          output: "crash test: completed after the restart",
          command: "make crash",
          firmware_filename: null,
          toolchain: "avr",
          timings: {},
        });
        expect(done.status, `job ${id}: completed under its lease after the restart`).toBe(200);
        await done.body?.cancel();
        expect(await statusOf(id)).toBe("failed");
      }
    } finally {
      api.child.kill("SIGKILL");
      await api.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
