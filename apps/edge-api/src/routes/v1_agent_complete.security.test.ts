import { compileStatus } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import {
  Agent,
  compileBody,
  expectError,
  randomBytes,
  sha256Hex,
  status,
  submit,
} from "../../test-support/api-client.ts";

// Attacks of a hostile build agent on what other users get (issue 11): poisoning the build cache, and
// artifacts outliving the lease that uploaded them.

const local = new Agent(target, "complete-security-agent");
const hostile = Agent.withToken(target, "communityA", "hostile-agent");
const other = Agent.withToken(target, "communityB", "other-community-agent");
const later = () => new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString();

async function download(id: string): Promise<Response> {
  return target.fetch(`/v1/compile/${id}/download`);
}

describe("a hostile community agent", () => {
  beforeEach(() => local.drain());

  it("cannot put its bytes in the build cache: an identical request from another client is built again", async () => {
    const body = compileBody();
    const first = await submit(target, body, "192.0.2.10");
    const junk = randomBytes(3000);
    await hostile.build(first, junk);

    // Its own job gets what it built, marked as unverified and naming the agent.
    const own = compileStatus.parse(await status(target, first));
    expect(own).toMatchObject({
      status: "finished",
      verified: false,
      built_by: { agent_id: "hostile-agent", trust: "community" },
    });
    expect(new Uint8Array(await (await download(first)).arrayBuffer())).toEqual(junk);

    // Anyone else's identical request is not answered with those bytes.
    const second = await submit(target, body, "192.0.2.20");
    const theirs = compileStatus.parse(await status(target, second));
    expect(theirs).toMatchObject({ status: "queued", cached: false, verified: null, built_by: null });
    await expectError(await download(second), 409);
  });

  it("cannot act on a lease another token holds, even knowing its id", async () => {
    const id = await submit(target);
    const lease = await other.leaseJob(id);
    await expectError(await hostile.heartbeat(lease), 409);
    await expectError(await hostile.upload(lease, "firmware", randomBytes(64)), 409);
    await expectError(await hostile.complete(lease), 409);
    await expectError(
      await hostile.post(`/v1/agent/jobs/${id}/release`, { lease_id: lease.lease_id, reason: "mine now" }),
      409,
    );
    expect(await status(target, id)).toMatchObject({ status: "running", stage: null });
    // The holder still can.
    expect((await other.heartbeat(lease)).status).toBe(200);
  });

  it("cannot complete as finished without firmware, source and log uploaded under its lease", async () => {
    const id = await submit(target);
    const lease = await hostile.leaseJob(id);
    expect((await hostile.upload(lease, "firmware", randomBytes(100))).status).toBe(200);
    const refused = await expectError(await hostile.complete(lease), 409);
    expect(refused.message).toMatch(/source, log/);
    expect((await status(target, id)).status).toBe("running");
  });
});

describe("artifacts belong to the lease that uploaded them", () => {
  // Nothing left running by an earlier test: each test here counts the leases it lets expire.
  beforeEach(async () => {
    await target.reapExpiredLeases(later());
    await local.drain();
  });

  async function uploadAll(
    agent: Agent,
    lease: Awaited<ReturnType<Agent["leaseJob"]>>,
    firmware: Uint8Array,
  ) {
    expect((await agent.upload(lease, "firmware", firmware, { filename: "firmware.hex" })).status).toBe(200);
    await agent.uploadSourceAndLog(lease);
  }

  it("a released lease takes its artifacts along: the next lease cannot finish on them", async () => {
    const id = await submit(target);
    const first = await hostile.leaseJob(id);
    await uploadAll(hostile, first, randomBytes(3000));
    expect(
      (await hostile.post(`/v1/agent/jobs/${id}/release`, { lease_id: first.lease_id, reason: "x" })).status,
    ).toBe(204);

    const second = await local.leaseJob(id);
    await expectError(await local.complete(second), 409);
    const firmware = randomBytes(2000);
    await uploadAll(local, second, firmware);
    expect((await local.complete(second)).status).toBe(200);
    const res = await download(id);
    expect(res.headers.get("etag")).toBe(`"${await sha256Hex(firmware)}"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(firmware);
  });

  it("an expired lease takes its artifacts along: a later `failed` serves no firmware and lists none", async () => {
    const id = await submit(target);
    const first = await hostile.leaseJob(id);
    await uploadAll(hostile, first, randomBytes(3000));
    expect(await target.reapExpiredLeases(later())).toBe(1);

    const second = await local.leaseJob(id);
    await expectError(await local.complete(second), 409);
    expect(
      (await local.complete(second, { status: "failed", returncode: 2, firmware_filename: null })).status,
    ).toBe(200);
    await expectError(await download(id), 404);
    await expectError(await target.fetch(`/v1/compile/${id}/source`), 404);
    expect((await status(target, id)).result).toMatchObject({
      returncode: 2,
      firmware_filename: null,
      firmware_binary_url: [],
      firmware_source_url: [],
      firmware_keymap_url: [],
    });
  });

  it("an upload by a lost lease (409) is never attached to the job", async () => {
    const id = await submit(target);
    const first = await hostile.leaseJob(id);
    expect(await target.reapExpiredLeases(later())).toBe(1);
    const second = await local.leaseJob(id);
    await expectError(await hostile.upload(first, "firmware", randomBytes(3000)), 409);
    await expectError(await local.complete(second), 409);
    const firmware = randomBytes(1000);
    await uploadAll(local, second, firmware);
    expect((await local.complete(second)).status).toBe(200);
    expect(new Uint8Array(await (await download(id)).arrayBuffer())).toEqual(firmware);
  });

  it("a build completed as failed serves no firmware, even one it uploaded", async () => {
    const id = await submit(target);
    const lease = await local.leaseJob(id);
    await uploadAll(local, lease, randomBytes(500));
    const done = await local.complete(lease, { status: "failed", returncode: 2, firmware_filename: null });
    expect(await done.json()).toEqual({ id, status: "failed" });
    await expectError(await download(id), 404);
    await expectError(await target.fetch(`/v1/compile/${id}/hex`), 404);
    expect((await target.fetch(`/v1/compile/${id}/log`)).status).toBe(200);
    const failed = await status(target, id);
    expect(failed).toMatchObject({ status: "failed", verified: null });
    // The source and log it uploaded stay listed (they answer); the firmware it uploaded does not.
    expect(failed.result?.firmware_binary_url).toEqual([]);
    expect(failed.result?.firmware_source_url).toEqual([
      expect.stringMatching(new RegExp(`/v1/compile/${id}/source$`)),
    ]);
    expect((await target.fetch(`/v1/compile/${id}/source`)).status).toBe(200);
  });
});
