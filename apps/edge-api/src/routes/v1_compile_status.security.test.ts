import { compileStatus } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, randomBytes, submit } from "../../test-support/api-client.ts";

const agent = new Agent(target, "status-security-agent");

async function statusWithHost(id: string, host: string) {
  const res = await target.fetch(`/v1/compile/${id}`, { headers: { host } });
  expect(res.status).toBe(200);
  return compileStatus.parse(await res.json());
}

describe("GET /v1/compile/:id against hostile input", () => {
  beforeEach(() => agent.drain());

  it("never builds artifact links from a Host header that is not this machine", async () => {
    const id = await submit(target);
    await agent.build(id);
    for (const host of [
      "evil.example",
      "evil.example:8787",
      "127.0.0.1.evil.example",
      "localhost.evil.example",
    ]) {
      const result = (await statusWithHost(id, host)).result;
      const urls = [
        ...(result?.firmware_binary_url ?? []),
        ...(result?.firmware_keymap_url ?? []),
        ...(result?.firmware_source_url ?? []),
      ];
      expect(urls).toHaveLength(3);
      for (const url of urls) expect(new URL(url).hostname).not.toMatch(/evil/);
    }
    // A loopback name (local development) keeps working as before.
    const local = await statusWithHost(id, "127.0.0.1:8787");
    expect(local.result?.firmware_binary_url[0]).toBe(`http://127.0.0.1:8787/v1/compile/${id}/download`);
  });

  it("strips terminal escape codes from `output`; the full log keeps them", async () => {
    const id = await submit(target);
    const lease = await agent.leaseJob(id);
    const coloured = "\x1b[1;31merror:\x1b[0m KC_FOO\x1b]0;title\x07 undeclared\x1b[2K\r\n\x07done\x1b(B\n";
    const log = new TextEncoder().encode(coloured);
    expect((await agent.upload(lease, "firmware", randomBytes(10))).status).toBe(200);
    expect((await agent.upload(lease, "source", randomBytes(10))).status).toBe(200);
    expect((await agent.upload(lease, "log", log, { filename: "build.log" })).status).toBe(200);
    expect((await agent.complete(lease, { output: coloured })).status).toBe(200);
    const res = await target.fetch(`/v1/compile/${id}`);
    const output = compileStatus.parse(await res.json()).result?.output;
    expect(output).toBe("error: KC_FOO undeclared\r\ndone\n");
    expect(await (await target.fetch(`/v1/compile/${id}/log`)).text()).toBe(coloured);
  });
});
