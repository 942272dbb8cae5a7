import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError } from "../../test-support/api-client.ts";

const agent = new Agent(target, "disconnect-error-agent");

describe("POST /v1/agent/disconnect refuses", () => {
  it("bodies without a valid agent_id (422, naming it)", async () => {
    for (const body of [{}, { agent_id: "" }, { agent_id: "has space" }, { agent_id: "x".repeat(1000) }]) {
      const error = await expectError(await agent.post("/v1/agent/disconnect", body), 422);
      expect(error.errors?.map((e) => e.path)).toContain("agent_id");
    }
  });

  it("malformed JSON (400) and other content types (415)", async () => {
    const send = (type: string, body: string) =>
      target.fetch("/v1/agent/disconnect", {
        method: "POST",
        headers: agent.auth({ "content-type": type }),
        body,
      });
    await expectError(await send("application/json", "{"), 400);
    await expectError(await send("text/plain", "{}"), 415);
  });
});
