import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, randomBytes, sha256Hex, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "artifact-agent");

describe("GET /v1/compile/:id/{download,hex,source,keymap,log}", () => {
  beforeEach(() => agent.drain());

  it("serves every uploaded artifact with its type, name, length and a strong ETag", async () => {
    const body = compileBody();
    const id = await submit(target, body);
    const lease = await agent.leaseJob(id);
    const files = {
      firmware: {
        bytes: randomBytes(2048),
        name: "kb_km.hex",
        type: "application/octet-stream",
        route: "download",
      },
      source: {
        bytes: randomBytes(4096),
        name: "qmk_firmware-kb-km.zip",
        type: "application/zip",
        route: "source",
      },
      keymap: {
        bytes: new TextEncoder().encode(JSON.stringify(body)),
        name: "kb-km.json",
        type: "application/json",
        route: "keymap",
      },
      log: {
        bytes: new TextEncoder().encode("ok\n"),
        name: "build.log",
        type: "text/plain; charset=utf-8",
        route: "log",
      },
    } as const;
    for (const [kind, file] of Object.entries(files)) {
      const res = await agent.upload(lease, kind as keyof typeof files, file.bytes, { filename: file.name });
      expect(res.status).toBe(200);
    }
    expect((await agent.complete(lease)).status).toBe(200);

    for (const file of Object.values(files)) {
      const res = await target.fetch(`/v1/compile/${id}/${file.route}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(file.type);
      expect(res.headers.get("content-length")).toBe(String(file.bytes.byteLength));
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${file.name}"`);
      expect(res.headers.get("etag")).toBe(`"${await sha256Hex(file.bytes)}"`);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(file.bytes);
    }
    // The deprecated /hex route is the firmware too.
    const hex = await target.fetch(`/v1/compile/${id}/hex`);
    expect(new Uint8Array(await hex.arrayBuffer())).toEqual(files.firmware.bytes);
  });

  it("answers If-None-Match with 304 (and a list, or *), and HEAD without a body", async () => {
    const id = await submit(target);
    const { firmware } = await agent.build(id);
    const etag = `"${await sha256Hex(firmware)}"`;
    for (const header of [etag, `"other", ${etag}`, "*", `W/${etag}`]) {
      const res = await target.fetch(`/v1/compile/${id}/download`, { headers: { "if-none-match": header } });
      expect(res.status).toBe(304);
      expect(res.headers.get("etag")).toBe(etag);
    }
    const stale = await target.fetch(`/v1/compile/${id}/download`, {
      headers: { "if-none-match": '"other"' },
    });
    expect(stale.status).toBe(200);
    await stale.body?.cancel();

    const head = await target.fetch(`/v1/compile/${id}/download`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(etag);
    expect(await head.text()).toBe("");
  });
});
