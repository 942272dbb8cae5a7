import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, status, submit } from "../../test-support/api-client.ts";
import { openLeasePoll } from "../../test-support/lease-poll.ts";

// An agent id is not a secret (it is in build logs): naming it must not let another token end that agent's
// polls or take its jobs back.
const owner = new Agent(target, "disconnect-owner-agent");
const stranger = Agent.withToken(target, "communityA", "disconnect-owner-agent");

describe("POST /v1/agent/disconnect under another token", () => {
  beforeEach(() => owner.drain());

  it("leaves the agent's leases alone", async () => {
    const id = await submit(target);
    await target.deliverQueue();
    const lease = await owner.leaseJob(id);
    const res = await stranger.post("/v1/agent/disconnect", { agent_id: owner.id });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ released: 0 });
    expect((await owner.heartbeat(lease)).status).toBe(200);
    expect(await status(target, id)).toMatchObject({ status: "running" });
  });

  it("leaves the agent's waiting poll alone: it still gets the next job", async () => {
    // A poller not seen before, so openLeasePoll can tell when its poll is held.
    const poller = new Agent(target, "disconnect-poller-agent");
    const poll = await openLeasePoll(poller, 10_000);
    const impostor = Agent.withToken(target, "communityA", poller.id);
    expect((await impostor.post("/v1/agent/disconnect", { agent_id: poller.id })).status).toBe(200);
    const id = await submit(target);
    await target.deliverQueue();
    const res = await poll.answer;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { job: { id: string } }).job.id).toBe(id);
  });
});
