import { describe, it } from "vitest";
import { target } from "#test-target";
import { expectError } from "../../test-support/api-client.ts";

describe("GET /v1/compile/:id refuses", () => {
  it("an unknown id (404 JSON)", async () => {
    await expectError(await target.fetch(`/v1/compile/${"0".repeat(32)}`), 404);
  });

  it("malformed ids (400 JSON) without looking them up", async () => {
    for (const id of [
      "abc",
      "A".repeat(32),
      "0".repeat(33),
      `${"0".repeat(31)}z`,
      "..%2F..%2Fcache",
      "%00",
      "jobs.json",
    ]) {
      await expectError(await target.fetch(`/v1/compile/${id}`), 400);
    }
  });
});
