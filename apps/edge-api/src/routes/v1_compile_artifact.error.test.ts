import { compileStatus } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError, randomBytes, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "artifact-error-agent");
const routes = ["download", "hex", "source", "keymap", "log"];

describe("GET /v1/compile/:id/<artifact> refuses", () => {
  beforeEach(() => agent.drain());

  it("an unknown job (404) and a malformed id (400)", async () => {
    for (const route of routes) {
      await expectError(await target.fetch(`/v1/compile/${"0".repeat(32)}/${route}`), 404);
      await expectError(await target.fetch(`/v1/compile/not-an-id/${route}`), 400);
    }
  });

  it("a job that has not ended (409), queued or running", async () => {
    const id = await submit(target);
    for (const route of routes) await expectError(await target.fetch(`/v1/compile/${id}/${route}`), 409);
    await agent.leaseJob(id);
    for (const route of routes) await expectError(await target.fetch(`/v1/compile/${id}/${route}`), 409);
  });

  it("an artifact the build did not produce (404)", async () => {
    const id = await submit(target);
    // Firmware, source and log are what `finished` needs; this build uploads no keymap.
    const lease = await agent.leaseJob(id);
    expect(
      (await agent.upload(lease, "firmware", randomBytes(64), { filename: "firmware.hex" })).status,
    ).toBe(200);
    await agent.uploadSourceAndLog(lease);
    expect((await agent.complete(lease)).status).toBe(200);
    await expectError(await target.fetch(`/v1/compile/${id}/keymap`), 404);
    // ... and the status answer links no keymap rather than a 404.
    const status = compileStatus.parse(await (await target.fetch(`/v1/compile/${id}`)).json());
    expect(status.result?.firmware_keymap_url).toEqual([]);
    expect(status.result?.firmware_binary_url).toHaveLength(1);
  });
});
