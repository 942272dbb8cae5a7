import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firmwareFileName, SOURCE_MANIFEST_NAME, sourceManifest } from "@qmk-edge/schema";
import { fetchBytes, submit, waitForEnd } from "@qmk-edge/test/support/compile-client.ts";
import { defaultKeymap, userKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { expectedKeymapWords, firmwareImage } from "@qmk-edge/test/support/firmware/fidelity.ts";
import {
  type Agent,
  DEMO_TREE,
  type EdgeApi,
  startAgent,
  startEdgeApi,
} from "@qmk-edge/test/support/system.ts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

// The agent process against the real edge API in workerd (`wrangler dev`, local R2 / Queue / Durable
// Object state in a temp dir): a compile request goes from queued to finished with downloadable artifacts.

let dir: string;
let api: EdgeApi;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-e2e-"));
  api = await startEdgeApi({
    persistDir: join(dir, "edge-state"),
    logFile: join(dir, "wrangler.log"),
    vars: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  agent = startAgent({
    api: api.url,
    workDir: join(dir, "agent-work"),
    logFile: join(dir, "agent.log"),
    agentId: "agent-e2e",
    // Without a published catalogue the API queues what it cannot check, so the agent's own checks are
    // what these tests see (an API holding the catalogue refuses unknown keycodes at POST instead).
    extra: ["--concurrency", "2", "--lease-wait", "5s", "--no-publish-catalogue"],
  });
});

afterAll(async () => {
  await agent?.stop();
  const code = agent ? await agent.daemon.exited : 0;
  await api?.stop();
  await rm(dir, { recursive: true, force: true });
  expect(code).toBe(0); // SIGTERM -> clean shutdown
});

const settled = (id: string) => waitForEnd(api.url, id, 90_000);

async function download(url: string | undefined): Promise<Buffer> {
  if (!url) throw new Error("no URL in the job's result");
  const { res, bytes } = await fetchBytes(url);
  expect(res.status, url).toBe(200);
  return bytes;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("agent + edge API in workerd", () => {
  test.each([
    ["AVR", async () => ({ ...(await defaultKeymap("handwired/edge_pad")), keymap: "e2e_pad" }), "avr"],
    ["ARM", async () => userKeymap("handwired/edge_split", "LAYOUT_split_3x5_3", 36, 3, "e2e_split"), "arm"],
  ] as const)(
    "%s: queued -> finished, with downloadable firmware, source and keymap",
    async (_n, make, toolchain) => {
      const request = await make();
      const id = await submit(api.url, request);
      const status = await settled(id);
      expect(status.status, `${JSON.stringify(status)}\n${agent.daemon.logTail(20)}`).toBe("finished");
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
      const manifest = sourceManifest.parse(
        JSON.parse((await execa("unzip", ["-p", zipPath, SOURCE_MANIFEST_NAME])).stdout),
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

  test("a keycode the tree does not define ends as failed before make, with the key's path", async () => {
    const request = await defaultKeymap("handwired/edge_pad");
    request.keymap = "e2e_unknown";
    request.layers[1]![3] = "KC_DOES_NOT_EXIST";
    const status = await settled(await submit(api.url, request));
    expect(status.status).toBe("failed");
    expect(status.is_failed).toBe(true);
    expect(status.result?.output).toContain("layers.1.3: unknown keycode KC_DOES_NOT_EXIST for firmware ");
    expect(status.result?.output).not.toContain("undeclared");
  });

  test("a keymap the compiler rejects ends as failed, with the compiler's message", async () => {
    const request = await defaultKeymap("handwired/edge_pad");
    request.keymap = "e2e_broken";
    request.layers[1]![3] = "MO(1, 2)";
    const status = await settled(await submit(api.url, request));
    expect(status.status).toBe("failed");
    expect(status.is_failed).toBe(true);
    expect(status.result?.output).toMatch(/macro "MO" passed 2 arguments, but takes just 1/);
  });
});
