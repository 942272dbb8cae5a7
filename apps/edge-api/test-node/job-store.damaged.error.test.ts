// A job record that is unreadable anyway (issue 19: truncated by a full disk before stores wrote whole
// objects; here a new job's, in its pack) is reported, kept aside, and the job fails with a reason: no 500 on
// every read forever.
import { mkdtempSync, readFileSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileStatus } from "@qmk-edge/schema";
import { afterAll, describe, expect, inject, it } from "vitest";
import { packIdOf, packKey } from "../src/adapters/job-store/record-packs.ts";
import { newId } from "../src/jobs/job-id.ts";
import { loadNodeConfig } from "../src/node/config.ts";
import { startNodeServer } from "../src/node/main.ts";
import { httpFetch } from "../test-support/http-fetch.ts";
import { RetryingAgent } from "../test-support/retrying-agent.ts";

const TOKEN = "damaged-record-agent-token";
const dir = mkdtempSync(join(tmpdir(), "qmk-edge-damaged-"));
const config = loadNodeConfig({
  PORT: "0",
  REDIS_URL: inject("redisUrl"),
  REDIS_PREFIX: `damaged-${newId().slice(0, 8)}:`,
  BLOB_DIR: dir,
  AGENT_TOKENS: TOKEN,
  FIRMWARE_VERSION: "demo-1",
  RATE_LIMIT_PER_MINUTE: "100000",
});
const api = await startNodeServer(config, { reaper: false });
// A second API on the same store and queue: it reads the record from the disk (the first keeps the pack it
// saved in memory, as it may: a pack never changes).
const reader = await startNodeServer(config, { reaper: false });
afterAll(async () => {
  await Promise.all([api.close(), reader.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("a truncated job record", () => {
  it("answers a failed status naming the damage, keeps the bytes aside, and agents let the job go", async () => {
    const res = await httpFetch(`${api.url}/v1/compile`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        keyboard: "handwired/qmk_edge_demo",
        keymap: "damaged",
        layout: "LAYOUT_ortho_2x2",
        layers: [["KC_A", "KC_B", "KC_C", "KC_D"]],
      }),
    });
    const { job_id: id } = (await res.json()) as { job_id: string };
    // A new job's record is a line of its turn's pack (adapters/job-store/record-packs.ts): cut 100 bytes into
    // it, past the line's id and tabs, into the record.
    const pack = join(dir, ...packKey(packIdOf(id)!).split("/"));
    truncateSync(pack, 512 + 100);
    const left = readFileSync(pack, "utf8").slice(512);
    expect(left.startsWith(`${id}\t\t{`)).toBe(true);

    for (let i = 0; i < 2; i++) {
      const status = await httpFetch(`${reader.url}/v1/compile/${id}`);
      expect(status.status).toBe(200);
      const body = (await status.json()) as CompileStatus;
      expect(body.status).toBe("failed");
      expect(body.failure_reason).toMatch(/damaged/);
    }
    // The damaged record (what is left of its line after the id), not the failed record that replaced it.
    const kept = readFileSync(join(dir, "damaged", "jobs", `${id}.json`), "utf8").slice(512);
    expect(kept).toBe(left.slice(id.length + 2));
    const agent = new RetryingAgent({
      baseUrl: api.url,
      token: TOKEN,
      id: "damaged",
      firmwareVersion: "demo-1",
    });
    expect(await agent.lease(0)).toBeNull();
  });
});
