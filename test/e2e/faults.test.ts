// Nothing accepted is lost: an agent killed mid-build, and an API restarted between submit and completion.
import { join } from "node:path";
import type { CompileStatus } from "@qmk-edge/schema";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir, removeDir, waitUntil } from "../servers/daemon.ts";
import { getStatus, submit, waitForEnd } from "../support/compile-client.ts";
import { slowDemoTree } from "../support/firmware/slow-tree.ts";
import { type Agent, type EdgeApi, startAgent, startEdgeApi } from "../support/system.ts";

// Distinct keymaps of one keyboard (for i < 16 * 12): layer 0 rotates, layer 1 marks one key per round.
const LETTERS = [
  "KC_A",
  "KC_B",
  "KC_C",
  "KC_D",
  "KC_E",
  "KC_F",
  "KC_G",
  "KC_H",
  "KC_I",
  "KC_J",
  "KC_K",
  "KC_L",
  "KC_M",
  "KC_N",
  "KC_O",
  "KC_P",
];
const keymap = (i: number) => ({
  keyboard: "handwired/edge_pad",
  keymap: `fault_${i}`,
  layout: "LAYOUT_ortho_4x4",
  layers: [
    LETTERS.map((_, k) => LETTERS[(k + i) % 16]!),
    Array.from({ length: 16 }, (_, k) => (k === i % 16 ? `KC_F${1 + (Math.floor(i / 16) % 12)}` : "KC_TRNS")),
  ],
  notes: `job ${i}`,
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function track<T extends { stop(): Promise<void> }>(thing: T): T {
  cleanups.push(() => thing.stop());
  return thing;
}

const finishedOnce = (s: CompileStatus) => s.status === "finished" && s.result?.returncode === 0;

describe("faults", () => {
  it("an agent SIGKILLed mid-build loses no job; each job ends finished once, with one artifact", async () => {
    const tmp = makeTempDir("e2e-kill");
    cleanups.push(async () => removeDir(tmp));
    // A short lease so the killed agent's job comes back quickly; attempts allow for the kill. Not shorter than
    // 10 s: on a busy machine a living agent's heartbeat (every third of the lease) can lag a few seconds, and a
    // lease lost that way would spend the attempts the test counts on.
    const api: EdgeApi = track(
      await startEdgeApi({
        persistDir: join(tmp, "state"),
        logFile: join(tmp, "api.log"),
        vars: { LEASE_SECONDS: "10", MAX_ATTEMPTS: "5", RATE_LIMIT_PER_MINUTE: "100000" },
      }),
    );
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => submit(api.url, keymap(i))));

    // The doomed agent builds on a copy of the tree whose make is slow, so it is surely mid-build when killed.
    const slowTree = slowDemoTree(join(tmp, "slow-tree"), 5);
    const first: Agent = startAgent({
      api: api.url,
      workDir: join(tmp, "agent-1"),
      logFile: join(tmp, "agent-1.log"),
      agentId: "doomed",
      tree: slowTree,
      extra: ["--concurrency", "1"],
    });
    cleanups.push(() => first.kill());
    // Kill it while it holds a job past its first heartbeat (a stage is only set by heartbeats).
    let victim = "";
    await waitUntil(
      "a job running with a stage",
      async () => {
        for (const id of ids) {
          const s = await getStatus(api.url, id);
          if (s.status === "running" && s.stage === "compiling") {
            victim = id;
            return true;
          }
        }
        return false;
      },
      { timeoutMs: 60_000, intervalMs: 10, describe: () => first.daemon.logTail() },
    );
    await first.kill();

    const second = track(
      startAgent({
        api: api.url,
        workDir: join(tmp, "agent-2"),
        logFile: join(tmp, "agent-2.log"),
        agentId: "rescuer",
      }),
    );
    // 20 builds on one agent: minutes when the machine is busy.
    const ends = await Promise.all(ids.map((id) => waitForEnd(api.url, id, 400_000)));
    expect(
      ends
        .filter(finishedOnce)
        .map((s) => s.id)
        .sort(),
    ).toEqual([...ids].sort());

    // Distinct keymaps give distinct firmware, and no job's firmware is another's.
    const digests = await Promise.all(
      ends.map(async (s) =>
        (await fetch(s.result!.firmware_binary_url[0]!, { method: "HEAD" })).headers.get("etag"),
      ),
    );
    expect(new Set(digests).size).toBe(20);

    const victimStatus = await getStatus(api.url, victim);
    expect(victimStatus.status).toBe("finished");
    // Its lease expired once (the kill), so it was built again by the rescuer.
    expect(victimStatus.attempts).toBeGreaterThanOrEqual(1);
    await second.stop();
  }, 540_000);

  it("restarting the API between submit and completion loses nothing", async () => {
    const tmp = makeTempDir("e2e-restart");
    cleanups.push(async () => removeDir(tmp));
    const persistDir = join(tmp, "state");
    const vars = { RATE_LIMIT_PER_MINUTE: "100000" };
    const before = await startEdgeApi({ persistDir, logFile: join(tmp, "api-1.log"), vars });
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => submit(before.url, keymap(100 + i))));
    await before.stop();

    const after = track(
      await startEdgeApi({ persistDir, port: before.port, logFile: join(tmp, "api-2.log"), vars }),
    );
    for (const id of ids) expect((await getStatus(after.url, id)).status).toBe("queued");
    const agent = track(
      startAgent({
        api: after.url,
        workDir: join(tmp, "agent"),
        logFile: join(tmp, "agent.log"),
        agentId: "after-restart",
      }),
    );

    // And once more while the agent is working: it must ride the outage out with retries.
    const more = await Promise.all(Array.from({ length: 4 }, (_, i) => submit(after.url, keymap(200 + i))));
    await after.stop();
    const again = track(
      await startEdgeApi({ persistDir, port: before.port, logFile: join(tmp, "api-3.log"), vars }),
    );
    const ends = await Promise.all([...ids, ...more].map((id) => waitForEnd(again.url, id, 180_000)));
    expect(ends.every(finishedOnce)).toBe(true);
    await agent.stop();
  }, 300_000);
});
