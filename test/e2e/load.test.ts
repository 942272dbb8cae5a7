// 200 clients polling status while jobs run: every answer is a 200 with a valid status object.
import { compileStatus } from "@qmk-edge/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submit, waitForEnd } from "../support/compile-client.ts";
import { type LocalSystem, startSystem } from "../support/system.ts";

let system: LocalSystem;
beforeAll(async () => {
  system = await startSystem("e2e-load");
}, 180_000);
afterAll(async () => system?.stop());

describe("load", () => {
  it("200 concurrent clients polling while jobs run see no errors", async () => {
    const ids = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        submit(system.api.url, {
          keyboard: "handwired/edge_split",
          keymap: `load_${i}`,
          layout: "LAYOUT_split_3x5_3",
          layers: [Array.from({ length: 36 }, (_, k) => (k === i ? "KC_B" : "KC_A"))],
        }),
      ),
    );
    // 8 builds under 200 pollers: a few minutes when the machine is busy (it timed out at load ~30).
    const done = Promise.all(ids.map((id) => waitForEnd(system.api.url, id, 480_000)));
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
        const res = await fetch(`${system.api.url}/v1/compile/${id}`).catch((e: Error) => e);
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
  }, 540_000);
});
