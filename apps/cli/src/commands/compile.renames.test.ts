import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { CompileStatus } from "@qmk-edge/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_TEST_TIMEOUT_MS, runCliAsync, scratchDir } from "../../test-support/run-cli.ts";
import { renamedLines } from "./compile.ts";

// The legacy keycodes the service renamed are said in the CLI's output, not only in the status JSON. The
// whole path (a real API and agent) is in test/e2e; here an HTTP server answers as the API does for a
// job whose build failed after two renames.
const scratch = scratchDir();
const JOB = "0123456789abcdef0123456789abcdef";
const translations = [
  { path: "layers.0.1", from: "RGB_TOG", to: "RM_TOGG" },
  { path: "layers.1.2", from: "MU_MOD", to: "MU_NEXT" },
];
const failed: CompileStatus = {
  created_at: "2026-12-06T10:00:00.000Z",
  enqueued_at: "2026-12-06T10:00:00.000Z",
  id: JOB,
  is_failed: true,
  status: "failed",
  result: null,
  is_finished: false,
  is_queued: false,
  is_started: true,
  failure_reason: "make failed",
  keycode_translations: translations,
};
const api = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(req.method === "POST" ? { enqueued: true, job_id: JOB } : failed));
});
const keymap = JSON.stringify({
  keyboard: "handwired/edge_pad",
  keymap: "mine",
  layout: "LAYOUT_ortho_4x4",
  layers: [Array(16).fill("KC_A")],
});

beforeAll(async () => {
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
}, CLI_TEST_TIMEOUT_MS);
afterAll(() => {
  api.close();
  scratch.cleanup();
}, CLI_TEST_TIMEOUT_MS);

describe("qmk-edge compile says which keycodes were renamed", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("one line per key, old -> new", () => {
    expect(renamedLines(translations)).toBe(
      "renamed 2 legacy keycodes as QMK renamed them:\n  layers.0.1: RGB_TOG -> RM_TOGG\n  layers.1.2: MU_MOD -> MU_NEXT\n",
    );
    expect(renamedLines([])).toBe("");
  });

  it("on stderr before the result, and in --json", async () => {
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const file = scratch.write("km.json", keymap);
    const run = await runCliAsync(["compile", file, "--api", url]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(renamedLines(translations));
    expect(run.stderr.indexOf("RGB_TOG -> RM_TOGG")).toBeLessThan(run.stderr.indexOf("build failed"));
    const json = await runCliAsync(["compile", file, "--api", url, "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: "failed", keycode_translations: translations });
  });
});
