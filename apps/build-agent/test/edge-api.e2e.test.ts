import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { type CompileRequest, compileStatus, firmwareFileName } from "@qmk-edge/schema";
import { type Daemon, freePort, startDaemon, waitUntil } from "@qmk-edge/test/servers/daemon.ts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MANIFEST_NAME, type SourceManifest } from "../src/packaging.ts";
import { DEMO_TREE, defaultKeymap, REPO_ROOT, userKeymap } from "./helpers/demo-tree.ts";
import { expectedKeymapWords, firmwareImage } from "./helpers/fidelity.ts";

// The agent process against the real edge API in workerd (`wrangler dev`, local R2 / Queue / Durable
// Object state in a temp dir): a compile request goes from queued to finished with downloadable artifacts.

const LOCAL_AGENT_TOKEN = "qmk-edge-local-agent-token"; // documented in apps/edge-api/wrangler.jsonc
const EDGE_APP = join(REPO_ROOT, "apps/edge-api");
const WRANGLER = join(EDGE_APP, "node_modules/.bin/wrangler");

let dir: string;
let api: string;
let edge: Daemon;
let agent: Daemon;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-e2e-"));
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  // Node 22 (this process's) first on PATH: wrangler needs it.
  const env = {
    ...process.env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    XDG_CONFIG_HOME: join(dir, "xdg"),
    WRANGLER_LOG_PATH: join(dir, "wrangler-logs"),
    CI: "true",
    NO_COLOR: "1",
  };
  edge = startDaemon({
    command: WRANGLER,
    args: ["dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", join(dir, "edge-state")],
    cwd: EDGE_APP,
    logFile: join(dir, "wrangler.log"),
    env,
  });
  await waitUntil(
    "the edge API serving /v1/agent/lease",
    async () => {
      const res = await fetch(`${api}/v1/agent/lease`, {
        method: "POST",
        headers: { authorization: `Bearer ${LOCAL_AGENT_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          agent_id: "probe",
          toolchains: ["avr"],
          firmware_version: "not-a-version-we-build",
          wait_ms: 0,
        }),
      });
      await res.body?.cancel();
      return res.status === 204;
    },
    { timeoutMs: 90_000, intervalMs: 250, gone: edge.exited, describe: () => edge.logTail(40) },
  );
  agent = startDaemon({
    command: process.execPath,
    args: [
      resolve(import.meta.dirname, "../src/main.ts"),
      "--api",
      api,
      "--tree",
      DEMO_TREE,
      "--work-dir",
      join(dir, "agent-work"),
      "--concurrency",
      "2",
      "--lease-wait",
      "5s",
      "--log-format",
      "json",
    ],
    logFile: join(dir, "agent.log"),
    env: { ...process.env, QMK_EDGE_AGENT_TOKEN: LOCAL_AGENT_TOKEN },
  });
});

afterAll(async () => {
  await agent?.stop(30_000);
  const code = agent ? await agent.exited : 0;
  await edge?.stop(10_000);
  await rm(dir, { recursive: true, force: true });
  expect(code).toBe(0); // SIGTERM -> clean shutdown
});

async function submit(request: CompileRequest): Promise<string> {
  const res = await fetch(`${api}/v1/compile`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  const body = (await res.json()) as { job_id?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.job_id!;
}

async function settled(id: string) {
  let last: unknown;
  await waitUntil(
    `job ${id} to finish or fail`,
    async () => {
      const res = await fetch(`${api}/v1/compile/${id}`);
      last = await res.json();
      const s = compileStatus.parse(last);
      return s.status === "finished" || s.status === "failed";
    },
    { timeoutMs: 90_000, intervalMs: 200, describe: () => `${JSON.stringify(last)}\n${agent.logTail(20)}` },
  );
  return compileStatus.parse(last);
}

const download = async (url: string | undefined) => {
  if (!url) throw new Error("no URL in the job's result");
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return Buffer.from(await res.arrayBuffer());
};

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("agent + edge API in workerd", () => {
  test.each([
    ["AVR", async () => ({ ...(await defaultKeymap("handwired/edge_pad")), keymap: "e2e_pad" }), "avr"],
    ["ARM", async () => userKeymap("handwired/edge_split", "LAYOUT_split_3x5_3", 36, 3, "e2e_split"), "arm"],
  ] as const)(
    "%s: queued -> finished, with downloadable firmware, source and keymap",
    async (_n, make, toolchain) => {
      const request = await make();
      const id = await submit(request);
      const status = await settled(id);
      expect(status.status, JSON.stringify(status)).toBe("finished");
      const result = status.result!;
      expect(result.returncode).toBe(0);
      expect(result.command).toBe(`make ${request.keyboard}:${request.keymap}`);
      expect(result.firmware_filename).toBe(firmwareFileName(request, toolchain));
      expect(result.output).toContain("make exited with 0");

      const firmware = await download(result.firmware_binary_url[0]);
      const words = await expectedKeymapWords(DEMO_TREE, request);
      const keymapBytes = Buffer.alloc(words.length * 2);
      for (const [i, w] of words.entries()) keymapBytes.writeUInt16LE(w, i * 2);
      const file = join(dir, result.firmware_filename!);
      await writeFile(file, firmware);
      expect((await firmwareImage(file)).indexOf(keymapBytes)).toBeGreaterThanOrEqual(0);

      const zipPath = join(dir, result.source_archive);
      await writeFile(zipPath, await download(result.firmware_source_url[0]));
      const manifest: SourceManifest = JSON.parse(
        (await execa("unzip", ["-p", zipPath, MANIFEST_NAME])).stdout,
      );
      expect(manifest.firmware.sha256).toBe(sha256(firmware));
      expect(manifest.job_id).toBe(id);

      const keymapJson = JSON.parse((await download(result.firmware_keymap_url[0])).toString("utf8"));
      expect(keymapJson).toMatchObject({
        keyboard: request.keyboard,
        keymap: request.keymap,
        layout: request.layout,
      });
    },
  );

  test("a keymap the tree rejects ends as failed, with the compiler's message", async () => {
    const request = await defaultKeymap("handwired/edge_pad");
    request.keymap = "e2e_broken";
    request.layers[1]![3] = "KC_DOES_NOT_EXIST";
    const status = await settled(await submit(request));
    expect(status.status).toBe("failed");
    expect(status.is_failed).toBe(true);
    expect(JSON.stringify(status)).toMatch(/KC_DOES_NOT_EXIST.{0,20}undeclared/);
  });
});
