import { ARTIFACT_HEADERS, ARTIFACT_MAX_BYTES } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError, randomBytes, sha256Hex, status, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "upload-agent");

async function leased() {
  const id = await submit(target);
  return agent.leaseJob(id);
}

describe("PUT /v1/agent/jobs/:id/artifacts/:kind refuses", () => {
  beforeEach(() => agent.drain());

  it("bytes that do not match the announced sha256 (422 naming the header), and stores nothing", async () => {
    const lease = await leased();
    const bytes = randomBytes(1024);
    const wrong = await sha256Hex(randomBytes(16));
    const body = await expectError(await agent.upload(lease, "firmware", bytes, { sha256: wrong }), 422);
    expect(body.errors?.[0]?.path).toBe(ARTIFACT_HEADERS.sha256);
    // The job never points at it: completing as finished still needs a firmware.
    await expectError(await agent.complete(lease), 409);
  });

  it("an artifact over its kind's limit (413)", async () => {
    const lease = await leased();
    await expectError(await agent.upload(lease, "keymap", randomBytes(ARTIFACT_MAX_BYTES.keymap + 1)), 413);
    await expectError(
      await agent.upload(lease, "firmware", randomBytes(ARTIFACT_MAX_BYTES.firmware + 1)),
      413,
    );
    expect((await status(target, lease.job.id)).status).toBe("running");
  });

  it("a stale lease (409) and an unknown job (404)", async () => {
    const lease = await leased();
    await expectError(
      await agent.upload({ ...lease, lease_id: "0".repeat(32) }, "firmware", randomBytes(8)),
      409,
    );
    const other = { ...lease, job: { ...lease.job, id: "f".repeat(32) } };
    await expectError(await agent.upload(other, "firmware", randomBytes(8)), 404);
  });

  it("an unknown artifact kind (400) and missing or malformed headers (422 naming each)", async () => {
    const lease = await leased();
    const res = await target.fetch(`/v1/agent/jobs/${lease.job.id}/artifacts/elf`, {
      method: "PUT",
      headers: agent.auth({ [ARTIFACT_HEADERS.leaseId]: lease.lease_id }),
      body: randomBytes(8),
    });
    expect((await expectError(res, 400)).errors?.[0]?.path).toBe("kind");

    const bare = await target.fetch(`/v1/agent/jobs/${lease.job.id}/artifacts/firmware`, {
      method: "PUT",
      headers: agent.auth(),
      body: randomBytes(8),
    });
    const paths = (await expectError(bare, 422)).errors?.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([ARTIFACT_HEADERS.leaseId, ARTIFACT_HEADERS.sha256, ARTIFACT_HEADERS.filename]),
    );

    const badSha = await agent.upload(lease, "firmware", randomBytes(8), { sha256: "XYZ" });
    expect((await expectError(badSha, 422)).errors?.[0]?.path).toBe(ARTIFACT_HEADERS.sha256);
  });

  it("a body longer than its Content-Length", async () => {
    const lease = await leased();
    const bytes = randomBytes(64);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const res = await target.fetch(`/v1/agent/jobs/${lease.job.id}/artifacts/firmware`, {
      method: "PUT",
      headers: agent.auth({
        "content-length": "64",
        [ARTIFACT_HEADERS.leaseId]: lease.lease_id,
        [ARTIFACT_HEADERS.sha256]: await sha256Hex(bytes),
        [ARTIFACT_HEADERS.filename]: "f.hex",
      }),
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await expectError(await agent.complete(lease), 409);
  });
});
