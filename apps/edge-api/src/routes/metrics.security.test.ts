import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { expectError } from "../../test-support/api-client.ts";

describe("GET /metrics is for the operator", () => {
  it("refuses a request without a token, with an agent token, and with an unknown one (401, nothing leaked)", async () => {
    for (const authorization of [
      undefined,
      `Bearer ${target.agentToken}`,
      "Bearer not-the-operator-token-at-all",
    ]) {
      const res = await target.fetch("/metrics", authorization ? { headers: { authorization } } : {});
      const body = await expectError(res, 401);
      expect(JSON.stringify(body)).not.toContain("qmk_edge_");
    }
  });

  it("sends no CORS headers: browsers of other origins cannot read it", async () => {
    const res = await target.fetch("/metrics", {
      headers: { authorization: `Bearer ${target.operatorToken}`, origin: "https://evil.example" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    await res.text();
  });
});
