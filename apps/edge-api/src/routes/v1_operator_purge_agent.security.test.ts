import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { expectError, json } from "../../test-support/api-client.ts";

const path = "/v1/operator/agents/community-a/purge";

describe("the operator routes", () => {
  it("refuse callers without the operator token (401), agent tokens included", async () => {
    for (const authorization of [
      undefined,
      "Bearer wrong-operator-token-000",
      `Bearer ${target.agentToken}`,
      `Bearer ${target.tokens.fleet.token}`,
      `Bearer ${target.operatorToken}x`,
      `Basic ${btoa(`operator:${target.operatorToken}`)}`,
    ]) {
      const res = await target.fetch(path, json({}, authorization ? { authorization } : {}));
      await expectError(res, 401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });

  it("refuse malformed token names (400) and other methods (405), and show no CORS to browsers", async () => {
    const auth = { authorization: `Bearer ${target.operatorToken}` };
    for (const name of ["-x", ".hidden", "a%2Fb", "x".repeat(65)]) {
      const res = await target.fetch(`/v1/operator/agents/${name}/purge`, json({}, auth));
      expect((await expectError(res, 400)).errors?.[0]?.path).toBe("token_id");
    }
    await expectError(await target.fetch(path, { headers: auth }), 405);
    const res = await target.fetch(path, json({}, { ...auth, origin: "https://evil.example" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
