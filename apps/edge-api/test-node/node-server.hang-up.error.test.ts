// A client that hangs up mid-request (issue 19): the Node API logs one line saying so, never a stack trace.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../../test/servers/daemon.ts";

const entry = new URL("../src/node/main.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "qmk-edge-hangup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Sends the head and part of the body, then closes the connection.
function hangUp(port: number, head: string, partial: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.write(head + partial, () => setTimeout(() => socket.destroy(), 100));
    });
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
}

describe("a client hanging up mid-request", () => {
  it("is logged as one line, not a stack trace", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [entry], {
      env: {
        PATH: process.env.PATH ?? "",
        PORT: String(port),
        REDIS_URL: inject("redisUrl"),
        REDIS_PREFIX: `hangup-${port}:`,
        BLOB_DIR: dir,
        AGENT_TOKENS: "hang-up-test-agent-token",
      },
      stdio: "pipe",
    });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    try {
      // A bound for a start on a busy machine (the Node entry, Redis and the store's journal replay), not a speed.
      const deadline = Date.now() + 60_000;
      while (!output.includes("listening on")) {
        if (Date.now() > deadline) throw new Error(`did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const before = output.length;
      await hangUp(
        port,
        "POST /v1/compile HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n",
        '{"keyboard": "handwired/qmk_edge_demo", "keymap": "x", ',
      );
      await hangUp(
        port,
        "PUT /v1/agent/jobs/0123456789abcdef0123456789abcdef/artifacts/log HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
          "Authorization: Bearer hang-up-test-agent-token\r\nContent-Length: 5000\r\n\r\n",
        "partial log",
      );
      await new Promise((r) => setTimeout(r, 500));
      const logged = output.slice(before);
      expect(logged, logged).not.toMatch(/^\s+at /m);
      expect(logged.split("\n").filter((l) => l.trim()).length, logged).toBeLessThanOrEqual(2);
      const healthy = await fetch(`http://127.0.0.1:${port}/v1/healthcheck`);
      expect(healthy.status).toBe(200);
    } finally {
      child.kill("SIGKILL");
    }
  }, 90_000);
});
