import { beforeAll, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError } from "../../test-support/api-client.ts";
import { claimKeyboard, reportBuild } from "../../test-support/build-health.ts";
import { demoCatalogue, publishCatalogue } from "../../test-support/catalogue.ts";

const version = `bh-${crypto.randomUUID().slice(0, 8)}`;
const agent = new Agent(target, "health-errors");

beforeAll(async () => {
  await publishCatalogue(agent, await demoCatalogue(version));
});

describe("keyboard build health, refused", () => {
  it("hands out nothing for a version without a catalogue (204)", async () => {
    expect(await claimKeyboard(agent, "no-catalogue-here")).toBeNull();
  });

  it("refuses a report of a keyboard the version's catalogue lacks, naming the field (422)", async () => {
    const body = await expectError(await reportBuild(agent, version, "handwired/nope", true, ""), 422);
    expect(body.errors?.[0]?.path).toBe("keyboard");
  });

  it("refuses a malformed report (422) and a malformed version in the query (400)", async () => {
    const res = await agent.post("/v1/agent/build_health/report", {
      firmware_version: version,
      keyboard: "x",
    });
    expect((await expectError(res, 422)).errors?.some((e) => e.path === "works")).toBe(true);
    await expectError(await target.fetch("/v1/keyboards/build_status?firmware_version=a%20b"), 400);
  });

  it("answers 404 JSON for a keyboard not tested yet, and 400 for a malformed name", async () => {
    await expectError(
      await target.fetch(`/v1/keyboards/handwired/qmk_edge_demo/build_log?firmware_version=${version}`),
      404,
    );
    await expectError(await target.fetch("/v1/keyboards/..%2F..%2Fetc/build_log"), 400);
  });
});
