import { purgeAgentResponse } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, json, randomBytes, status, submit } from "../../test-support/api-client.ts";

const purge = (tokenId: string) =>
  target.fetch(
    `/v1/operator/agents/${tokenId}/purge`,
    json({}, { authorization: `Bearer ${target.operatorToken}` }),
  );

describe("POST /v1/operator/agents/:token_id/purge", () => {
  it("removes the cache entries a revoked token produced; revoking alone keeps them", async () => {
    const doomed = Agent.withToken(target, "doomedPurged", "doomed-fleet-agent");
    const body = compileBody();
    const firmware = randomBytes(1200);
    await doomed.build(await submit(target, body), firmware);
    expect(await status(target, await submit(target, body))).toMatchObject({ cached: true });

    await target.revokeAgentToken(doomed.token);
    expect(await status(target, await submit(target, body))).toMatchObject({ cached: true });

    const res = await purge("doomed-purged");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const answer = purgeAgentResponse.parse(await res.json());
    expect(answer.token_id).toBe("doomed-purged");
    expect(answer.removed_cache_entries).toHaveLength(1);
    expect(await status(target, await submit(target, body))).toMatchObject({
      status: "queued",
      cached: false,
    });

    // Repeating it finds nothing more.
    expect(purgeAgentResponse.parse(await (await purge("doomed-purged")).json())).toEqual({
      token_id: "doomed-purged",
      removed_cache_entries: [],
      updated_candidates: [],
      marked_jobs: [],
    });
  });

  it("drops the token's community builds waiting for a reproduction, so they never count", async () => {
    const suspect = Agent.withToken(target, "communityC", "suspect-desk");
    const peer = Agent.withToken(target, "communityA", "peer-desk");
    const body = compileBody();
    const firmware = randomBytes(800);
    await suspect.build(await submit(target, body), firmware);

    const answer = purgeAgentResponse.parse(await (await purge("community-c")).json());
    expect(answer.removed_cache_entries).toEqual([]);
    expect(answer.updated_candidates).toHaveLength(1);

    const second = await submit(target, body);
    await peer.build(second, firmware);
    expect(await status(target, second)).toMatchObject({ verified: false });
    expect(await status(target, await submit(target, body))).toMatchObject({
      status: "queued",
      cached: false,
    });
  });
});
