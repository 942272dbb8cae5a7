import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_TEST_TIMEOUT_MS, runCliAsync, scratchDir } from "../../test-support/run-cli.ts";

// The happy path (a real API and agent) is covered end to end in test/e2e; these are the CLI's own refusals.
const scratch = scratchDir();
const valid = JSON.stringify({
  keyboard: "handwired/edge_pad",
  keymap: "mine",
  layout: "LAYOUT_ortho_4x4",
  layers: [Array(16).fill("KC_A")],
});

// A closed port: nothing listens, so the CLI must say it cannot reach the API.
let closedPort = 0;
// An HTTP server that answers like the API does for a refused request.
const refusing = createServer((_req, res) => {
  res.writeHead(422, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      code: 422,
      message: "invalid request",
      errors: [{ path: "layers.0.0", message: "bad" }],
    }),
  );
});

beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", r));
}, CLI_TEST_TIMEOUT_MS);
afterAll(() => {
  refusing.close();
  scratch.cleanup();
}, CLI_TEST_TIMEOUT_MS);

describe("qmk-edge compile refuses and explains", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("checks the keymap before contacting the API", async () => {
    const file = scratch.write("bad.json", JSON.stringify({ ...JSON.parse(valid), layers: [["KC_A); x("]] }));
    const run = await runCliAsync(["compile", file, "--api", `http://127.0.0.1:${closedPort}`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("layers.0.0");
    expect(run.stderr).not.toContain("cannot reach");
  });

  it("says when the API cannot be reached", async () => {
    const run = await runCliAsync([
      "compile",
      scratch.write("ok.json", valid),
      "--api",
      `http://127.0.0.1:${closedPort}`,
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cannot reach the API \(ECONNREFUSED\)/);
  });

  it("shows the API's field errors", async () => {
    const port = (refusing.address() as AddressInfo).port;
    const run = await runCliAsync([
      "compile",
      scratch.write("ok2.json", valid),
      "--api",
      `http://127.0.0.1:${port}`,
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the API answered 422: invalid request");
    expect(run.stderr).toContain("layers.0.0: bad");
  });

  it.each([[["--bogus"]], [[]], [["a.json", "--timeout", "-1"]]])(
    "exits 2 for arguments %j",
    async (args) => {
      const run = await runCliAsync(["compile", ...args]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain("usage: qmk-edge compile");
    },
  );

  it("status and download need a job id", async () => {
    expect((await runCliAsync(["status"])).status).toBe(2);
    expect((await runCliAsync(["download"])).status).toBe(2);
  });
});
