import { createHash } from "node:crypto";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fetchBytes, getStatus, submit, waitForEnd } from "@qmk-edge/test/support/compile-client.ts";
import { defaultKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { slowDemoTree } from "@qmk-edge/test/support/firmware/slow-tree.ts";
import { type ProxiedApi, startProxiedApi } from "@qmk-edge/test/support/proxied-api.ts";
import { type Agent, DEMO_TREE, type EdgeApi, startAgent } from "@qmk-edge/test/support/system.ts";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { sha256File } from "../src/zip/packaging.ts";
import { groupsAlive, runningBuild } from "../test-support/build-processes.ts";
import { drainQueue } from "../test-support/queue-drain.ts";

// The agent process on a tree the size of a real one, under a small open-files limit, and its answer to
// an error nothing catches: it keeps serving in the first case, and hands its job back in the second.

let dir: string;
let api: EdgeApi;
let system: ProxiedApi;
let agent: Agent | null = null;

beforeAll(async () => {
  system = await startProxiedApi("agent-robust");
  ({ api, dir } = system);
});
afterAll(async () => system?.stop());
afterEach(async () => {
  await agent?.kill();
  agent = null;
  await new Promise((r) => setTimeout(r, 1250)); // an abandoned lease poll runs out (see agent-process)
  await drainQueue(api.url);
});

// The demo tree plus `files` small source files in directories of 500, like lib/ of qmk_firmware.
async function bigTree(root: string, files: number): Promise<string> {
  await cp(DEMO_TREE, root, {
    recursive: true,
    filter: (p) => !/\/\.build$|\.(hex|bin)$/.test(p),
  });
  for (let d = 0; d < files / 500; d++) {
    const sub = join(root, "lib", "filler", `d${d}`);
    await mkdir(sub, { recursive: true });
    await Promise.all(
      Array.from({ length: 500 }, (_, i) => writeFile(join(sub, `f${i}.c`), `int filler_${d}_${i};\n`)),
    );
  }
  return root;
}

const logLines = async (file: string) =>
  (await readFile(file, "utf8"))
    .trim()
    .split("\n")
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });

test("a 50,000-file tree under `ulimit -n 256`: archived, uploaded once, and jobs build", async () => {
  const tree = await bigTree(join(dir, "big-tree"), 50_000);
  const id = await submit(api.url, { ...(await defaultKeymap("handwired/edge_pad")), keymap: "big_tree" });
  agent = startAgent({
    api: api.url,
    workDir: join(dir, "work-big"),
    logFile: join(dir, "big.log"),
    agentId: "big-tree",
    tree,
    openFilesLimit: 256,
    extra: ["--lease-wait", "1s"],
  });
  const end = await waitForEnd(api.url, id, 90_000);
  expect(end.status, agent.daemon.logTail(20)).toBe("finished");
  const lines = await logLines(agent.daemon.logFile);
  const archived = lines.find((l) => l.msg === "firmware tree archived");
  expect(archived, agent.daemon.logTail(20)).toBeDefined();
  expect(lines.filter((l) => l.level === "error")).toEqual([]);

  // The tree the user downloads is the agent's archive, byte for byte.
  const archive = join(dir, "work-big", "tree-archives", "tree-demo-1.zip");
  const download = await fetchBytes(end.result!.source_tree_url![0]!);
  expect(download.res.status).toBe(200);
  expect(download.bytes.length).toBe(archived!.bytes);
  expect(createHash("sha256").update(download.bytes).digest("hex")).toBe(await sha256File(archive));

  // Still serving: a second job builds too.
  const again = await submit(api.url, {
    ...(await defaultKeymap("handwired/edge_pad")),
    keymap: "big_again",
  });
  expect((await waitForEnd(api.url, again, 60_000)).status).toBe("finished");
  expect(
    await Promise.race([agent.daemon.exited, new Promise((r) => setTimeout(() => r("running"), 100))]),
  ).toBe("running");
}, 120_000);

test("an error nothing catches: the leased job is released at once and the agent exits 1", async () => {
  const tree = slowDemoTree(join(dir, "slow-tree"), 30);
  const marker = join(dir, "crash-now");
  const id = await submit(api.url, { ...(await defaultKeymap("handwired/edge_pad")), keymap: "crash" });
  agent = startAgent({
    api: api.url,
    workDir: join(dir, "work-crash"),
    logFile: join(dir, "crash.log"),
    agentId: "crash",
    tree,
    nodeArgs: ["--import", join(import.meta.dirname, "..", "test-support", "crash-preload.ts")],
    env: { QE_TEST_CRASH_FILE: marker },
    extra: ["--concurrency", "1", "--lease-wait", "1s"],
  });
  const groups = await runningBuild(id);
  expect((await getStatus(api.url, id)).status).toBe("running");
  await writeFile(marker, "");
  expect(await agent.daemon.exited).toBe(1);
  // Its build did not outlive it.
  await expect.poll(() => groupsAlive(groups), { timeout: 60_000 }).toBe(false);
  // Back in the queue with no attempt counted: released, not left to its 60 s lease expiry.
  const status = await getStatus(api.url, id);
  expect({ status: status.status, attempts: status.attempts }).toEqual({ status: "queued", attempts: 0 });
  const log = await readFile(agent.daemon.logFile, "utf8");
  expect(log).toContain("injected by the test");
  const lines = await logLines(agent.daemon.logFile);
  expect(
    lines.some((l) => l.level === "error" && /uncaught exception; releasing leased jobs/.test(String(l.msg))),
  ).toBe(true);
});
