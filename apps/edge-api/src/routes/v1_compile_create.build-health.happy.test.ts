import { compileStatus } from "@qmk-edge/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, submit } from "../../test-support/api-client.ts";
import { reportBuild } from "../../test-support/build-health.ts";
import { demoCatalogue, publishCatalogue } from "../../test-support/catalogue.ts";

const agent = new Agent(target, "known-broken");
const SPLIT = "handwired/qmk_edge_split/rev1";

beforeAll(async () => {
  await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
  const log = "keymap.c:9:1: error: 'KC_NOPE' undeclared\nmake exited with code 2\n";
  expect((await reportBuild(agent, target.firmwareVersion, SPLIT, false, log)).status).toBe(200);
});

describe("a compile of a keyboard known not to build", () => {
  it("says so first in its output, found through an alias too", async () => {
    const body = compileBody({
      keyboard: "handwired/qmk_edge_split",
      layout: "LAYOUT_split_1x2",
      layers: [["KC_A", "KC_B"]],
    });
    const id = await submit(target, body);
    await target.deliverQueue();
    const lease = await agent.leaseJob(id);
    await agent.complete(lease, {
      status: "failed",
      returncode: 2,
      output: "make: *** [keymap.o] Error 1\n",
    });
    const status = compileStatus.parse(await (await target.fetch(`/v1/compile/${id}`)).json());
    expect(status.result?.output).toMatch(
      new RegExp(
        `^Note: handwired/qmk_edge_split's default keymap did not build on firmware ${target.firmwareVersion}`,
      ),
    );
    expect(status.result?.output).toContain("'KC_NOPE' undeclared");
    expect(status.result?.output).toContain(`GET /v1/keyboards/handwired/qmk_edge_split/build_log`);
    expect(status.result?.output).toContain("make: *** [keymap.o] Error 1");
  });

  it("leaves a keyboard that builds alone", async () => {
    expect(
      (await reportBuild(agent, target.firmwareVersion, "handwired/qmk_edge_demo", true, "ok")).status,
    ).toBe(200);
    const id = await submit(target, compileBody());
    await target.deliverQueue();
    const lease = await agent.leaseJob(id);
    await agent.complete(lease, { status: "failed", returncode: 2, output: "make: failed\n" });
    const status = compileStatus.parse(await (await target.fetch(`/v1/compile/${id}`)).json());
    expect(status.result?.output).not.toContain("Note:");
  });
});
