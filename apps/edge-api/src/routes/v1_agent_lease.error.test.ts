import { LEASE_MAX_WAIT_MS } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError } from "../../test-support/api-client.ts";

const agent = new Agent(target, "lease-error-agent");

describe("POST /v1/agent/lease refuses", () => {
  it("requests that break the protocol (422, with paths)", async () => {
    const base = { agent_id: "a", toolchains: ["avr"], firmware_version: target.firmwareVersion, wait_ms: 0 };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ toolchains: [] }, "toolchains"],
      [{ toolchains: ["x86"] }, "toolchains.0"],
      [{ agent_id: "has space" }, "agent_id"],
      [{ firmware_version: "" }, "firmware_version"],
      [{ wait_ms: LEASE_MAX_WAIT_MS + 1 }, "wait_ms"],
      [{ wait_ms: -1 }, "wait_ms"],
    ];
    for (const [override, path] of cases) {
      const body = await expectError(await agent.post("/v1/agent/lease", { ...base, ...override }), 422);
      expect(body.errors?.map((e) => e.path)).toContain(path);
    }
  });

  it("malformed JSON (400) and other content types (415)", async () => {
    const malformed = await target.fetch("/v1/agent/lease", {
      method: "POST",
      headers: agent.auth({ "content-type": "application/json" }),
      body: "{",
    });
    await expectError(malformed, 400);
    const text = await target.fetch("/v1/agent/lease", {
      method: "POST",
      headers: agent.auth({ "content-type": "text/plain" }),
      body: "{}",
    });
    await expectError(text, 415);
  });
});
