// `node src/node/main.ts` as an operator runs it: configured by env, serving the routes, stopping cleanly on SIGTERM.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../../test/servers/daemon.ts";
import { spawnNodeApi } from "../test-support/node-process.ts";

const dir = mkdtempSync(join(tmpdir(), "qmk-edge-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(check: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("node src/node/main.ts", () => {
  it("serves the API from env configuration and exits 0 on SIGTERM, ending a long poll with 204", async () => {
    const port = await freePort();
    const server = spawnNodeApi({
      PORT: String(port),
      REDIS_URL: inject("redisUrl"),
      REDIS_PREFIX: `serve-${port}:`,
      BLOB_DIR: dir,
      AGENT_TOKENS: "serve-test-agent-token",
    });
    try {
      await until(() => server.output().includes("listening on"), 10_000);
      const status = await fetch(`http://127.0.0.1:${port}/v1/healthcheck`);
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({ status: "degraded", firmware_version: "demo-1" });
      const denied = await fetch(`http://127.0.0.1:${port}/v1/agent/lease`, { method: "POST" });
      expect(denied.status).toBe(401);

      const poll = fetch(`http://127.0.0.1:${port}/v1/agent/lease`, {
        method: "POST",
        headers: { authorization: "Bearer serve-test-agent-token", "content-type": "application/json" },
        body: JSON.stringify({
          agent_id: "a",
          toolchains: ["avr"],
          firmware_version: "demo-1",
          wait_ms: 20_000,
        }),
      });
      await new Promise((r) => setTimeout(r, 300));
      const stopAt = Date.now();
      server.child.kill("SIGTERM");
      expect((await poll).status).toBe(204);
      expect(await server.exited).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(2_000);
    } finally {
      server.child.kill("SIGKILL");
    }
  });

  it("stops at start with exit code 2 when the S3 store refuses its credentials", async () => {
    const s3 = inject("s3");
    const server = spawnNodeApi({
      PORT: "0",
      REDIS_URL: inject("redisUrl"),
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: "not-the-secret",
      AGENT_TOKENS: "serve-test-agent-token",
    });
    expect(await server.exited).toBe(2);
    expect(server.output()).toContain("the blob store refused a read");
    expect(server.output()).toContain("403");
  });

  it("refuses to start with a configuration error that names the variables, exit code 2", async () => {
    const server = spawnNodeApi({ PORT: "0", AGENT_TOKENS: "x" });
    expect(await server.exited).toBe(2);
    expect(server.output()).toContain("invalid configuration");
    expect(server.output()).toContain("REDIS_URL");
  });
});
