import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../bytes/sha256-hex.ts";
import type { AgentToken } from "../config/agent-tokens.ts";
import type { AppEnv, Deps } from "../deps.ts";
import { TokenDigests } from "../memo/token-digests.ts";
import { requireAgent } from "./agent-auth.ts";
import { errorHandler } from "./error-handler.ts";

// requireAgent with the Deps it reads: the configured tokens, the real sha256 behind a counter, the digests memo.
async function authApp(tokens: string[]) {
  const agentTokens: AgentToken[] = await Promise.all(
    tokens.map(async (t, i) => ({ hash: await sha256Hex(t), id: `token-${i}`, trust: "trusted" as const })),
  );
  const counted = { digests: 0 };
  const deps = {
    config: { agentTokens },
    sha256Hex: (data: string | Uint8Array) => {
      counted.digests++;
      return sha256Hex(data);
    },
    agentTokenDigests: new TokenDigests(),
  } as unknown as Deps;
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    c.set("deps", deps);
    await next();
  });
  app.post("/v1/agent/lease", requireAgent, (c) => c.json(c.get("agent")));
  app.onError(errorHandler);
  const call = (token: string) =>
    app.request("/v1/agent/lease", { method: "POST", headers: { authorization: `Bearer ${token}` } });
  return { app, call, counted, agentTokens };
}

describe("an agent token's digest, kept per isolate", () => {
  it("is computed once for a token's many calls, and each call still names the token it matched", async () => {
    const { call, counted } = await authApp(["fleet-token-a", "fleet-token-b"]);
    for (let i = 0; i < 5; i++) {
      const a = await call("fleet-token-a");
      expect(a.status).toBe(200);
      expect(await a.json()).toEqual({ token_id: "token-0", trust: "trusted" });
      const b = await call("fleet-token-b");
      expect(await b.json()).toEqual({ token_id: "token-1", trust: "trusted" });
    }
    expect(counted.digests).toBe(2);
  });

  it("is not kept for an unknown token, which is hashed and refused on every call", async () => {
    const { call, counted } = await authApp(["fleet-token-a"]);
    for (let i = 0; i < 3; i++) expect((await call("not-a-token")).status).toBe(401);
    expect(counted.digests).toBe(3);
    // A token that shares the kept one's prefix is not taken for it.
    expect((await call("fleet-token-a")).status).toBe(200);
    expect((await call("fleet-token-ab")).status).toBe(401);
    expect((await call("fleet-token-")).status).toBe(401);
    expect(counted.digests).toBe(6);
  });

  it("still refuses a kept token once it is no longer configured", async () => {
    const { call, counted, agentTokens } = await authApp(["fleet-token-a"]);
    expect((await call("fleet-token-a")).status).toBe(200);
    agentTokens.splice(0, 1);
    expect((await call("fleet-token-a")).status).toBe(401);
    expect(counted.digests).toBe(1);
  });
});

describe("TokenDigests", () => {
  it("keeps at most its bound, dropping the token kept longest", () => {
    const kept = new TokenDigests(2);
    kept.keep("t1", "h1");
    kept.keep("t2", "h2");
    kept.keep("t3", "h3");
    expect([kept.find("t1"), kept.find("t2"), kept.find("t3")]).toEqual([null, "h2", "h3"]);
    expect(kept.find("t")).toBeNull();
    expect(kept.find("t22")).toBeNull();
  });
});
