// 200 clients polling status while jobs run: every answer is a 200 with a valid status object.
import { join } from "node:path";
import { compileStatus } from "@qmk-edge/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../servers/daemon.ts";
import { submit, waitForEnd } from "../support/compile-client.ts";
import { type Agent, type EdgeApi, startAgent, startEdgeApi } from "../support/system.ts";

const tmp = makeTempDir("e2e-load");
let api: EdgeApi;
let agent: Agent;
beforeAll(async () => {
  api = await startEdgeApi({
    persistDir: join(tmp, "state"),
    logFile: join(tmp, "api.log"),
    vars: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  agent = startAgent({
    api: api.url,
    workDir: join(tmp, "agent"),
    logFile: join(tmp, "agent.log"),
    agentId: "load",
  });
}, 90_000);
afterAll(async () => {
  await agent?.stop();
  await api?.stop();
  removeDir(tmp);
});

describe("load", () => {
  it("200 concurrent clients polling while jobs run see no errors", async () => {
    const ids = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        submit(api.url, {
          keyboard: "handwired/edge_split",
          keymap: `load_${i}`,
          layout: "LAYOUT_split_3x5_3",
          layers: [Array.from({ length: 36 }, (_, k) => (k === i ? "KC_B" : "KC_A"))],
        }),
      ),
    );
    const done = Promise.all(ids.map((id) => waitForEnd(api.url, id, 180_000)));
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    const failures: string[] = [];
    let requests = 0;
    const client = async (n: number) => {
      // Every client polls at least a few times, and keeps going until the jobs are done.
      for (let round = 0; round < 5 || !finished; round++) {
        const id = ids[(n + round) % ids.length]!;
        const res = await fetch(`${api.url}/v1/compile/${id}`).catch((e: Error) => e);
        requests++;
        if (res instanceof Error) failures.push(`client ${n}: ${res.message}`);
        else if (res.status !== 200) failures.push(`client ${n}: HTTP ${res.status}`);
        else if (!compileStatus.safeParse(await res.json()).success)
          failures.push(`client ${n}: invalid body`);
        if (round > 120) break;
        // Clients poll about once a second, as QMK Configurator does.
        await new Promise((r) => setTimeout(r, 800 + ((n * 37) % 400)));
      }
    };
    await Promise.all(Array.from({ length: 200 }, (_, n) => client(n)));
    const ends = await done;
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThanOrEqual(1000);
    expect(ends.every((s) => s.status === "finished")).toBe(true);
  }, 300_000);
});
