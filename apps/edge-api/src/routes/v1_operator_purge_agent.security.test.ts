import { purgeAgentResponse } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import {
  Agent,
  compileBody,
  expectError,
  json,
  randomBytes,
  status,
  submit,
} from "../../test-support/api-client.ts";

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

  it("marks every job that got the purged token's firmware, built by it or from its cache entry (issue 19)", async () => {
    const fleet = Agent.withToken(target, "fleet", "purged-fleet-agent");
    const other = Agent.withToken(target, "communityA", "innocent-desk");
    const body = compileBody();
    const built = await submit(target, body);
    await fleet.build(built, randomBytes(1000));
    const served = await submit(target, body);
    expect(await status(target, served)).toMatchObject({ cached: true, verified: true });
    const untouched = await submit(target, compileBody());
    await other.build(untouched, randomBytes(1000));

    const res = await target.fetch(
      `/v1/operator/agents/${target.tokens.fleet.name}/purge`,
      json({}, { authorization: `Bearer ${target.operatorToken}` }),
    );
    expect(res.status).toBe(200);
    const answer = purgeAgentResponse.parse(await res.json());
    expect([...(answer.marked_jobs ?? [])].sort()).toEqual([built, served].sort());
    for (const id of [built, served]) {
      const s = (await status(target, id)) as { verified: boolean; purged?: { message: string } };
      expect(s.verified).toBe(false);
      expect(s.purged?.message).toMatch(/do not flash/);
    }
    expect(await status(target, untouched)).not.toHaveProperty("purged");
  });
});
