import { compileStatus, completeResponse } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, randomBytes, sha256Hex, status, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "lifecycle-agent");

describe("a job through the agent protocol", () => {
  beforeEach(() => agent.drain());

  it("goes queued -> running (with stage) -> finished, and its firmware downloads with ETag and 304", async () => {
    const body = compileBody();
    const id = await submit(target, body);
    await target.deliverQueue();
    const queued = compileStatus.parse(await status(target, id));
    expect(queued).toMatchObject({ id, status: "queued", is_failed: false, result: null, attempts: 0 });
    expect(queued.queue_position).toBe(0);

    const lease = await agent.leaseJob(id);
    expect(lease.job.request).toMatchObject({
      keyboard: body.keyboard,
      keymap: body.keymap,
      layout: body.layout,
    });
    expect(lease.job.firmware_version).toBe(target.firmwareVersion);
    expect((await status(target, id)).status).toBe("running");

    const beat = await agent.heartbeat(lease, "compiling");
    expect(beat.status).toBe(200);
    expect((await beat.json()) as object).toHaveProperty("lease_expires_at");
    expect(await status(target, id)).toMatchObject({
      status: "running",
      stage: "compiling",
      is_failed: false,
    });

    const firmware = randomBytes(3000);
    const digest = await sha256Hex(firmware);
    const upload = await agent.upload(lease, "firmware", firmware, {
      filename: "handwired_qmk_edge_demo_x.hex",
    });
    expect(upload.status).toBe(200);
    expect(await upload.json()).toEqual({ kind: "firmware", sha256: digest, size: 3000 });
    expect(
      (await agent.upload(lease, "log", new TextEncoder().encode("gcc ok\n"), { filename: "build.log" }))
        .status,
    ).toBe(200);
    const source = new TextEncoder().encode("PK zip");
    expect((await agent.upload(lease, "source", source, { filename: "src.zip" })).status).toBe(200);

    const done = await agent.complete(lease, { output: "Compiling keymap.c ... [OK]\n" });
    expect(done.status).toBe(200);
    expect(completeResponse.parse(await done.json())).toEqual({ id, status: "finished" });

    const finished = compileStatus.parse(await status(target, id));
    expect(finished).toMatchObject({
      status: "finished",
      is_failed: false,
      is_finished: true,
      stage: null,
      cached: false,
      result: {
        id,
        keyboard: body.keyboard,
        keymap: body.keymap,
        layout: body.layout,
        returncode: 0,
        output: "Compiling keymap.c ... [OK]\n",
        firmware: null,
        firmware_filename: "firmware.hex",
        keymap_archive: `handwired-qmk_edge_demo-${body.keymap}.json`,
        source_archive: `qmk_firmware-handwired-qmk_edge_demo-${body.keymap}.zip`,
      },
    });
    const url = finished.result?.firmware_binary_url[0] ?? "";
    expect(url).toMatch(new RegExp(`^https?://[^/]+/v1/compile/${id}/download$`));

    const download = await target.fetch(new URL(url).pathname);
    expect(download.status).toBe(200);
    expect(download.headers.get("etag")).toBe(`"${digest}"`);
    expect(download.headers.get("content-length")).toBe("3000");
    expect(download.headers.get("content-disposition")).toBe(
      'attachment; filename="handwired_qmk_edge_demo_x.hex"',
    );
    expect(download.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(firmware);

    const again = await target.fetch(`/v1/compile/${id}/download`, {
      headers: { "if-none-match": `"${digest}"` },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(`"${digest}"`);
    expect(await again.text()).toBe("");

    const log = await target.fetch(`/v1/compile/${id}/log`);
    expect(log.status).toBe(200);
    expect(log.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await log.text()).toBe("gcc ok\n");
  });

  it("answers a repeated completion with the same result (idempotent)", async () => {
    const id = await submit(target);
    const { lease } = await agent.build(id);
    const first = compileStatus.parse(await status(target, id));

    const repeat = await agent.complete(lease);
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toEqual({ id, status: "finished" });
    // Even a repeat that says otherwise does not change what happened.
    const contrary = await agent.complete(lease, { status: "failed", returncode: 2 });
    expect(contrary.status).toBe(200);
    expect(await contrary.json()).toEqual({ id, status: "finished" });
    expect(await status(target, id)).toEqual({ ...first, age_seconds: expect.any(Number) });
  });

  it("records a failed build with its log tail, and the log stays downloadable", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    expect(
      (await agent.upload(lease, "log", new TextEncoder().encode("error: KC_FOO undeclared\n"))).status,
    ).toBe(200);
    const res = await agent.complete(lease, {
      status: "failed",
      returncode: 2,
      output: "error: KC_FOO undeclared\n",
      firmware_filename: null,
    });
    expect(await res.json()).toEqual({ id, status: "failed" });

    const failed = await status(target, id);
    expect(failed).toMatchObject({
      status: "failed",
      is_failed: true,
      result: { returncode: 2, output: "error: KC_FOO undeclared\n" },
    });
    expect(failed.failure_reason).toMatch(/return code 2/);
    expect((await target.fetch(`/v1/compile/${id}/log`)).status).toBe(200);
    const firmware = await target.fetch(`/v1/compile/${id}/download`);
    expect(firmware.status).toBe(404);
    expect(await firmware.json()).toMatchObject({ code: 404 });
  });

  it("answers an identical second request from the build cache: finished at once, no lease given", async () => {
    const body = compileBody();
    const first = await submit(target, body);
    const { firmware } = await agent.build(first);

    // Same build inputs; `version` does not split the cache.
    const second = await submit(target, { ...body, version: 2 });
    expect(second).not.toBe(first);
    const cached = compileStatus.parse(await status(target, second));
    expect(cached).toMatchObject({ id: second, status: "finished", cached: true, is_failed: false });
    expect(cached.result?.firmware_binary_url[0]).toMatch(new RegExp(`/v1/compile/${second}/download$`));
    expect(await agent.lease()).toBeNull();

    const download = await target.fetch(`/v1/compile/${second}/download`);
    expect(download.headers.get("etag")).toBe(`"${await sha256Hex(firmware)}"`);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(firmware);
  });

  it("does not answer from the cache when the build inputs differ", async () => {
    const body = compileBody();
    const first = await submit(target, body);
    await agent.build(first);
    const layers = [
      ["KC_B", "KC_A", "LT(1, KC_SPC)", "MO(1)"],
      ["KC_TRNS", "_______", "QK_BOOT", "LCTL_T(KC_ESC)"],
    ];
    const other = await submit(target, { ...body, layers });
    expect((await status(target, other)).status).toBe("queued");
  });
});
