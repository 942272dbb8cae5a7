import { compileStatus } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, status, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "status-agent");

describe("GET /v1/compile/:id", () => {
  beforeEach(() => agent.drain());

  it("shows a queued job's place in the queue and its age", async () => {
    const first = await submit(target);
    const second = await submit(target);
    await target.deliverQueue();
    const a = compileStatus.parse(await status(target, first));
    const b = compileStatus.parse(await status(target, second));
    expect(a).toMatchObject({
      id: first,
      status: "queued",
      is_failed: false,
      result: null,
      stage: null,
      attempts: 0,
    });
    expect(a.queue_position).toBe(0);
    expect(b.queue_position).toBe(1);
    expect(a.age_seconds).toBeGreaterThanOrEqual(0);
    expect(a.firmware_version).toBe(target.firmwareVersion);
    expect(a).not.toHaveProperty("is_finished");
  });

  it("shows the stage the agent reported while running", async () => {
    const id = await submit(target, compileBody());
    const lease = await agent.leaseJob(id);
    expect(await status(target, id)).toMatchObject({ status: "running", stage: null, queue_position: null });
    for (const stage of ["preparing", "compiling", "packaging", "uploading"] as const) {
      expect((await agent.heartbeat(lease, stage)).status).toBe(200);
      expect((await status(target, id)).stage).toBe(stage);
    }
  });

  it("is not cached by browsers or proxies", async () => {
    const id = await submit(target);
    const res = await target.fetch(`/v1/compile/${id}`);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});
