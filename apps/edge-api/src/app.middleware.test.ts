import { describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import type { Deps } from "./deps.ts";

// How many handlers Hono composes for a request: each is an async call and an await per request, so the
// app-wide middlewares (deps, CORS for public routes, 405 answers) are one middleware, not three. Their
// answers are held by public-cors.happy.test.ts and app.error.test.ts.
describe("the app's middleware chain", () => {
  const app = createApp({ deps: () => ({}) as Deps });
  const handlers = (method: string, path: string) => app.router.match(method, path)[0].length;

  it("runs one middleware before a public route", () => {
    expect(handlers("GET", `/v1/compile/${"a".repeat(32)}`)).toBe(2);
    expect(handlers("GET", "/v1")).toBe(2);
    expect(handlers("POST", "/v1/compile")).toBe(2);
  });

  it("and the agents' own before theirs", () => {
    expect(handlers("POST", "/v1/agent/lease")).toBe(3);
  });
});
