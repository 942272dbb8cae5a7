import {
  buildErrorLogResponse,
  buildHealthEntry,
  buildLogResponse,
  buildStatusResponse,
  buildSummaryResponse,
} from "@qmk-edge/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent } from "../../test-support/api-client.ts";
import { claimKeyboard, reportBuild } from "../../test-support/build-health.ts";
import { demoCatalogue, publishCatalogue } from "../../test-support/catalogue.ts";

// A version of its own: the build health of the served version is another file's business.
const version = `bh-${crypto.randomUUID().slice(0, 8)}`;
const q = `?firmware_version=${version}`;
const agent = new Agent(target, "health-agent");
const other = new Agent(target, "health-agent-2");
const DEMO = "handwired/qmk_edge_demo";
const SPLIT = "handwired/qmk_edge_split/rev1";

beforeAll(async () => {
  await publishCatalogue(agent, await demoCatalogue(version));
});

describe("keyboard build health, as idle agents fill it", () => {
  it("hands each catalogue keyboard to one agent, then none until they are due again", async () => {
    const first = await claimKeyboard(agent, version);
    const second = await claimKeyboard(other, version);
    expect([first, second].sort()).toEqual([DEMO, SPLIT]);
    expect(await claimKeyboard(new Agent(target, "health-agent-3"), version)).toBeNull();
    // An agent that stopped its build for a user job gets its own keyboard back.
    expect(await claimKeyboard(agent, version)).toBe(first);

    const broken = "keymap.c:3:1: error: expected ';' before '}' token\nmake exited with code 2\n";
    const byAgent = new Map([
      [first, agent],
      [second, other],
    ]);
    expect((await reportBuild(byAgent.get(DEMO)!, version, DEMO, true, "make exited with 0\n")).status).toBe(
      200,
    );
    expect((await reportBuild(byAgent.get(SPLIT)!, version, SPLIT, false, broken)).status).toBe(200);
    // Both fresh now (retested after BUILD_HEALTH_RETEST_HOURS).
    expect(await claimKeyboard(agent, version)).toBeNull();
  });

  it("serves qmk_api's five routes with its field names", async () => {
    const status = await target.fetch(`/v1/keyboards/build_status${q}`, {
      headers: { origin: "https://config.qmk.fm" },
    });
    expect(status.status).toBe(200);
    expect(status.headers.get("access-control-allow-origin")).toBe("*");
    expect(buildStatusResponse.parse(await status.json())).toEqual({ [DEMO]: true, [SPLIT]: false });

    const log = buildLogResponse.parse(await (await target.fetch(`/v1/keyboards/build_log${q}`)).json());
    expect(Object.keys(log)).toEqual([DEMO, SPLIT]);
    expect(log[SPLIT]).toMatchObject({
      works: false,
      message: expect.stringContaining("error: expected ';'"),
    });
    expect(log[DEMO]?.last_tested).toBeGreaterThan(1_700_000_000);

    const summary = await (await target.fetch(`/v1/keyboards/build_summary${q}`)).json();
    expect(buildSummaryResponse.parse(summary)).toEqual({
      [DEMO]: { works: true, last_tested: log[DEMO]?.last_tested },
      [SPLIT]: { works: false, last_tested: log[SPLIT]?.last_tested },
    });
    expect(JSON.stringify(summary)).not.toContain("message");

    const one = await target.fetch(`/v1/keyboards/${SPLIT}/build_log${q}`);
    expect(one.status).toBe(200);
    expect(buildHealthEntry.parse(await one.json())).toEqual(log[SPLIT]);

    const errors = buildErrorLogResponse.parse(
      await (await target.fetch(`/v1/keyboards/error_log${q}`)).json(),
    );
    expect(errors).toEqual([
      {
        severity: "error",
        keyboard: SPLIT,
        message: `Error: ${SPLIT}: keymap.c:3:1: error: expected ';' before '}' token`,
      },
    ]);
  });

  it("answers for the served firmware version when none is asked for", async () => {
    const res = await target.fetch("/v1/keyboards/build_status");
    expect(res.status).toBe(200);
    expect(buildStatusResponse.parse(await res.json())).not.toHaveProperty(DEMO, expect.anything());
  });
});
