import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildLogResponse, buildStatusResponse, keyboardListResponse } from "@qmk-edge/schema";
import { waitUntil } from "@qmk-edge/test/servers/daemon.ts";
import { submit, waitForEnd } from "@qmk-edge/test/support/compile-client.ts";
import { defaultKeymap } from "@qmk-edge/test/support/firmware/demo-tree.ts";
import { slowDemoTree } from "@qmk-edge/test/support/firmware/slow-tree.ts";
import { type Agent, type EdgeApi, startAgent, startEdgeApi } from "@qmk-edge/test/support/system.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

// An idle trusted agent on the demo tree fills the API's build health for every keyboard; one keyboard
// made to fail shows false with make's message; a user job overtakes the idle-time builds; and those builds
// leave warm build slots for the keyboards' first users. Builds sleep 2 s first (slow tree), so a user job
// surely arrives while a default-keymap build runs.

const BROKEN = "handwired/edge_duo/rev1";
let dir: string;
let api: EdgeApi;
let agent: Agent;
let agentLog: string;

const getJson = async (path: string) => {
  const res = await fetch(`${api.url}${path}`);
  expect(res.status, path).toBe(200);
  return await res.json();
};
const buildStatus = async () => buildStatusResponse.parse(await getJson("/v1/keyboards/build_status"));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-health-"));
  const tree = slowDemoTree(join(dir, "tree"), 2);
  // The broken keyboard: its default keymap names a keycode no header defines, so gcc fails.
  const keymap = join(tree, "keyboards/handwired/edge_duo/keymaps/default/keymap.json");
  writeFileSync(keymap, readFileSync(keymap, "utf8").replace('"KC_MPRV"', '"KC_HEALTH_NOPE"'));
  api = await startEdgeApi({
    persistDir: join(dir, "edge-state"),
    logFile: join(dir, "wrangler.log"),
    vars: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  agentLog = join(dir, "agent.log");
  agent = startAgent({
    api: api.url,
    workDir: join(dir, "agent-work"),
    logFile: agentLog,
    agentId: "agent-health",
    tree,
    buildHealth: true,
    extra: ["--concurrency", "1", "--lease-wait", "5s", "--metrics-listen", "127.0.0.1:0"],
  });
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await api?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("keyboard build health from an idle agent", () => {
  test("fills build_status for every keyboard, the broken one false with its message; a user job goes first", async () => {
    // The agent publishes the catalogue at start; then, idle, it builds default keymaps.
    let keyboards: string[] = [];
    await waitUntil(
      "the catalogue published",
      async () => {
        const res = await fetch(`${api.url}/v1/keyboard_list.json`);
        if (res.status !== 200) return false;
        keyboards = keyboardListResponse.parse(await res.json()).keyboards;
        return keyboards.length > 0;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(keyboards.length).toBeGreaterThanOrEqual(4);
    await waitUntil(
      "a first default-keymap result",
      async () => Object.keys(await buildStatus()).length > 0,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
      },
    );

    // A user job now: it is leased and built while most keyboards are still untested.
    const id = await submit(api.url, await defaultKeymap("handwired/edge_pad"));
    const done = await waitForEnd(api.url, id, 90_000);
    expect(done.status).toBe("finished");
    const testedWhenUserJobEnded = Object.keys(await buildStatus()).length;
    expect(testedWhenUserJobEnded).toBeLessThan(keyboards.length);
    expect(readFileSync(agentLog, "utf8")).toContain("stopping the default-keymap build");

    await waitUntil(
      "every keyboard tested",
      async () => Object.keys(await buildStatus()).length === keyboards.length,
      {
        timeoutMs: 120_000,
        intervalMs: 250,
      },
    );
    const status = await buildStatus();
    expect(Object.keys(status).sort()).toEqual([...keyboards].sort());
    for (const kb of keyboards) expect(status[kb], kb).toBe(kb !== BROKEN);
    const log = buildLogResponse.parse(await getJson("/v1/keyboards/build_log"));
    expect(log[BROKEN]?.message).toMatch(/KC_HEALTH_NOPE/);
    expect(log["handwired/edge_pad"]?.message).toMatch(/make exited with 0/);
  }, 300_000);

  test("leaves warm build slots: a keyboard's first user job reuses the idle-time build's objects", async () => {
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(readFileSync(agentLog, "utf8"))?.[1];
    expect(url, "the agent logs where its metrics are").toBeDefined();
    const warm = async () => {
      const text = await (await fetch(url!)).text();
      return Number(/qmk_edge_agent_build_slot_total\{result="warm"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await warm();
    // edge_sixty had no user job yet; its slot holds only the default-keymap build.
    const request = await defaultKeymap("handwired/edge_sixty");
    const id = await submit(api.url, { ...request, keymap: "first_user" });
    expect((await waitForEnd(api.url, id, 90_000)).status).toBe("finished");
    expect(await warm()).toBe(before + 1);
    const text = await (await fetch(url!)).text();
    expect(text).toMatch(/qmk_edge_agent_builds_total\{firmware_version="[^"]+",outcome="finished"\} 2/);
    expect(text).toContain("qmk_edge_agent_stage_seconds_bucket");
  }, 120_000);
});
