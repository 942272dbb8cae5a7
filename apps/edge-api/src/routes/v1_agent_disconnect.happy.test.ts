import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, status, submit } from "../../test-support/api-client.ts";
import { openLeasePoll } from "../../test-support/lease-poll.ts";

const live = new Agent(target, "disconnect-live-agent");
let agents = 0;
const goneAgent = () => new Agent(target, `disconnect-gone-${Date.now().toString(36)}-${++agents}`);

describe("POST /v1/agent/disconnect", () => {
  beforeEach(() => live.drain());

  it("ends the agent's waiting lease poll, so the next job goes to an agent that is there", async () => {
    const gone = goneAgent();
    const poll = await openLeasePoll(gone);
    const res = await gone.post("/v1/agent/disconnect", { agent_id: gone.id });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ released: 0 });

    // Submitted before the poll's answer is awaited: a poll still held would take it first.
    const id = await submit(target);
    await target.deliverQueue();
    const lease = await live.lease();
    expect(lease?.job.id).toBe(id);
    expect(lease?.job.attempts).toBe(0);
    expect((await poll.answer).status).toBe(204);
  });

  it("hands back every lease the agent still holds, without counting an attempt", async () => {
    const gone = goneAgent();
    const ids = [await submit(target), await submit(target)];
    await target.deliverQueue();
    const leases = [await gone.leaseJob(ids[0] as string), await gone.leaseJob(ids[1] as string)];

    const res = await gone.post("/v1/agent/disconnect", { agent_id: gone.id });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ released: 2 });
    for (const id of ids) {
      const answer = await status(target, id);
      expect(answer).toMatchObject({ status: "queued", attempts: 0 });
    }
    // The old leases are over: the agent can no longer act on them, another agent gets the jobs.
    for (const lease of leases) expect((await gone.heartbeat(lease)).status).toBe(409);
    const next = await live.leaseJob(ids[0] as string);
    expect(next.job.attempts).toBe(0);
  });

  it("is harmless to repeat and for an agent the API never saw", async () => {
    const gone = goneAgent();
    for (let i = 0; i < 2; i++) {
      const res = await gone.post("/v1/agent/disconnect", { agent_id: gone.id });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ released: 0 });
    }
  });
});
