import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { expectError, json } from "../../test-support/api-client.ts";

const id = "0".repeat(32);
const agentRoutes: Array<[string, string]> = [
  ["POST", "/v1/agent/lease"],
  ["POST", "/v1/agent/disconnect"],
  ["POST", `/v1/agent/jobs/${id}/heartbeat`],
  ["PUT", `/v1/agent/jobs/${id}/artifacts/firmware`],
  ["POST", `/v1/agent/jobs/${id}/complete`],
  ["POST", `/v1/agent/jobs/${id}/release`],
];

describe("the agent protocol without a valid agent token", () => {
  it("answers 401 JSON with WWW-Authenticate on every route", async () => {
    const authorizations = [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      "Bearer wrong-token",
      `Bearer ${target.agentToken}x`,
      `Bearer ${target.agentToken.slice(0, -1)}`,
      `Basic ${btoa(`agent:${target.agentToken}`)}`,
      target.agentToken,
    ];
    for (const [method, path] of agentRoutes) {
      for (const authorization of authorizations) {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (authorization !== undefined) headers.authorization = authorization;
        const res = await target.fetch(path, { method, headers, body: "{}" });
        await expectError(res, 401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
      }
    }
  });

  it("does not take the token from the query string, and shows no CORS to browsers", async () => {
    const res = await target.fetch(
      `/v1/agent/lease?token=${target.agentToken}`,
      json({}, { origin: "https://evil.example" }),
    );
    await expectError(res, 401);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("accepts the token in any case of the scheme name", async () => {
    const res = await target.fetch(
      "/v1/agent/lease",
      json(
        { agent_id: "case-agent", toolchains: ["avr"], firmware_version: target.firmwareVersion, wait_ms: 0 },
        { authorization: `bearer ${target.agentToken}` },
      ),
    );
    expect([200, 204]).toContain(res.status);
  });
});
