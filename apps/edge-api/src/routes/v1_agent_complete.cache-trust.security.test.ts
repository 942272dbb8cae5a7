import { compileStatus } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, randomBytes, status, submit } from "../../test-support/api-client.ts";

// Which builds answer later identical requests: a trusted token's at once, a community token's once a trusted
// token reproduced its firmware byte for byte (the default COMMUNITY_CACHE_POLICY; the operator's
// `two-tokens` choice is held by src/jobs/build-cache.test.ts).

const fleet = Agent.withToken(target, "fleet", "fleet-agent");
const a = Agent.withToken(target, "communityA", "desk-a");
const b = Agent.withToken(target, "communityB", "desk-b");
const c = Agent.withToken(target, "communityC", "desk-c");

async function download(id: string): Promise<Uint8Array> {
  const res = await target.fetch(`/v1/compile/${id}/download`);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

async function expectCached(body: Record<string, unknown>, firmware: Uint8Array): Promise<void> {
  const id = await submit(target, body);
  expect(compileStatus.parse(await status(target, id))).toMatchObject({
    status: "finished",
    cached: true,
    verified: true,
  });
  expect(await download(id)).toEqual(firmware);
}

async function expectBuiltAgain(body: Record<string, unknown>): Promise<string> {
  const id = await submit(target, body);
  expect(await status(target, id)).toMatchObject({ status: "queued", cached: false });
  return id;
}

describe("the build cache and agent trust", () => {
  beforeEach(() => fleet.drain());

  it("takes a trusted token's build at once, verified", async () => {
    const body = compileBody();
    const firmware = randomBytes(700);
    const id = await submit(target, body);
    await fleet.build(id, firmware);
    expect(await status(target, id)).toMatchObject({
      verified: true,
      built_by: { agent_id: "fleet-agent", trust: "trusted" },
    });
    await expectCached(body, firmware);
  });

  it("never serves another client what community tokens alone agreed on (issue 19: one person, two tokens)", async () => {
    const body = compileBody();
    const forged = randomBytes(900);
    const first = await submit(target, body);
    await a.build(first, forged);
    expect(await status(target, first)).toMatchObject({ verified: false });

    // A second community token reproducing the same bytes is not enough by default, nor a third.
    const second = await expectBuiltAgain(body);
    await b.build(second, forged);
    expect(await status(target, second)).toMatchObject({ verified: false });
    const third = await expectBuiltAgain(body);
    await c.build(third, forged);
    expect(await status(target, third)).toMatchObject({ verified: false });

    // The next identical request anywhere is built again and never answered with those bytes.
    const victim = await expectBuiltAgain(body);
    const honest = randomBytes(900);
    await fleet.build(victim, honest);
    expect(await download(victim)).toEqual(honest);
  });

  it("takes a community build once a trusted token reproduced the same firmware", async () => {
    const body = compileBody();
    const firmware = randomBytes(900);
    const first = await submit(target, body);
    await a.build(first, firmware);
    // The same token building it again proves nothing.
    const again = await expectBuiltAgain(body);
    await a.build(again, firmware);
    expect(await status(target, again)).toMatchObject({ verified: false });

    const reproduced = await expectBuiltAgain(body);
    await fleet.build(reproduced, firmware);
    expect(await status(target, reproduced)).toMatchObject({
      verified: true,
      built_by: { agent_id: "fleet-agent", trust: "trusted" },
    });
    // The first build stays as it was reported: unverified when it ended.
    expect(await status(target, first)).toMatchObject({ verified: false });
    await expectCached(body, firmware);
  });

  it("takes a trusted build over a community candidate it disagrees with", async () => {
    const body = compileBody();
    const first = await submit(target, body);
    await a.build(first, randomBytes(600));
    const firmware = randomBytes(600);
    await fleet.build(await expectBuiltAgain(body), firmware);
    await expectCached(body, firmware);
  });
});
