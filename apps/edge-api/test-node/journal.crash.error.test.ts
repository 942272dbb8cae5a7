// A job acknowledged with 200 survives a crash of the API in the middle of a burst of POSTs (issue 20): the
// API process is killed (SIGKILL) while 40 clients post, and then, as a power cut could, every record file
// still named in a journal segment (written after its commit, never fsynced) is emptied. The next start
// replays the journal: every acknowledged job reads back queued, whole, with the keymap it was sent.
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileStatus } from "@qmk-edge/schema";
import { describe, expect, inject, it } from "vitest";
import { freePort } from "../../../test/servers/daemon.ts";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { JOURNAL_DIR } from "../src/adapters/blob-store/fs-format.ts";
import { decodeSegment } from "../src/adapters/blob-store/fs-journal-replay.ts";
import { readBlobText } from "../src/ports/blob-store.ts";
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
        for (const line of decodeSegment(readFileSync(join(dir, JOURNAL_DIR, name), "utf8")))
          if (line.kind === "put") named.add(line.entry.key);
      }
      let emptied = 0;
      for (const id of acknowledged.keys()) {
        expect(named.has(`jobs/${id}.json`), `job ${id} acknowledged but not in the journal`).toBe(true);
        truncateSync(join(dir, "jobs", `${id}.json`), 0);
        emptied++;
      }
      expect(emptied).toBe(acknowledged.size);

      api = spawnNodeApi(env);
      await until(() => api.output().includes("listening on"), 20_000, "the API to listen again");
      const store = new FsBlobStore(dir);
      for (const [id, i] of acknowledged) {
        const res = await httpFetch(`${url}/v1/compile/${id}`);
        expect(res.status, `job ${id}`).toBe(200);
        const status = (await res.json()) as CompileStatus;
        expect(status.status).toBe("queued");
        const record = JSON.parse((await readBlobText(store, `jobs/${id}.json`)) ?? "null");
        expect(record?.request?.keymap).toBe(`crash_${i}`);
      }
    } finally {
      api.child.kill("SIGKILL");
      await api.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
