import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { expectError } from "../test-support/api-client.ts";

// App-wide answers (app.ts, http/error-handler.ts), whatever the route.
describe("unknown routes and methods", () => {
  // "/" belongs to the web app served beside the API when there is one (app.static-files.test.ts).
  it("answer 404 JSON for unknown paths", async () => {
    for (const path of ["/v2/compile", "/v1/compile/x/y/z", "/v1/agent/nothing"]) {
      await expectError(await target.fetch(path), path.startsWith("/v1/agent/") ? 401 : 404);
    }
  });

  it("answer 405 JSON with Allow for a known path and a wrong method", async () => {
    const res = await target.fetch("/v1/compile", { method: "PUT" });
    await expectError(res, 405);
    expect(res.headers.get("allow")).toMatch(/POST/);
    await expectError(await target.fetch(`/v1/compile/${"a".repeat(32)}`, { method: "DELETE" }), 405);
    await expectError(await target.fetch("/v1/healthcheck", { method: "POST" }), 405);
  });
});
