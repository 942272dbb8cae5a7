// Paths exactly as a hostile client writes them (no URL normalisation on the way, as curl --path-as-is
// sends them) to the Node server's keyboard catalogue routes: always a 4xx JSON answer, never a store read
// outside catalogue/.
import { rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newId } from "../src/jobs/job-id.ts";
import { loadNodeConfig } from "../src/node/config.ts";
import { startNodeServer } from "../src/node/main.ts";

const isolation = newId().slice(0, 12);
const config = loadNodeConfig({
  PORT: "0",
  HOST: "127.0.0.1",
  REDIS_URL: inject("redisUrl"),
  REDIS_PREFIX: `raw-${isolation}:`,
  BLOB_DIR: join(tmpdir(), `qmk-edge-raw-${isolation}`),
  AGENT_TOKENS: "raw-path-test-agent-token",
});
let server: Awaited<ReturnType<typeof startNodeServer>>;
beforeAll(async () => {
  server = await startNodeServer(config, { reaper: false });
});
afterAll(async () => {
  await server.close();
  if (config.storage.kind === "fs") rmSync(config.storage.dir, { recursive: true, force: true });
});

function rawGet(path: string): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("end", () => {
      const [head = "", body = ""] = data.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), head, body });
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

describe("catalogue routes: raw hostile paths on Node", () => {
  it.each([
    "/v1/keyboards/../../jobs/x/info.json",
    "/v1/keyboards/handwired/../../../catalogue/current/demo-1/info.json",
    "/v1/keyboards/%2e%2e/%2e%2e/info.json",
    "/v1/keyboards/handwired%2f..%2f..%2fjobs/readme.md",
    "/v1/keyboards/a%00b/keymaps/default",
    "/v1/keyboards/./info.json",
  ])("%s -> 4xx JSON", async (path) => {
    const res = await rawGet(path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.head.toLowerCase()).toContain("content-type: application/json");
    const body = JSON.parse(res.body.replace(/^[0-9a-f]+\r\n|\r\n0\r\n$/g, "")) as { code: number };
    expect(body.code).toBe(res.status);
  });
});
