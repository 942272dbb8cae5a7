// The community cache policy as a pure rule (issue 19): by default only a trusted token's reproduction lets a
// community build into the shared cache; `two-tokens`, the operator's choice, lets a second community token.
import type { CacheCandidate, JobRecord } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { BUILD_RESULT } from "../../test-support/cache-entry.ts";
import { admitBuild } from "./build-cache.ts";
import { newJobRecord } from "./lifecycle.ts";

const NOW = "2026-12-06T10:00:00.000Z";
const SHA = "a".repeat(64);
const KEY = "b".repeat(64);

function finished(id: string, tokenId: string, trust: "trusted" | "community", sha = SHA): JobRecord {
  const base = newJobRecord({
    id,
    request: { keyboard: "handwired/qmk_edge_demo", keymap: "k", layout: "LAYOUT", layers: [["KC_A"]] },
    contentKey: KEY,
    firmwareVersion: "demo-1",
    maxAttempts: 3,
    now: NOW,
  });
  const ref = { key: `artifacts/${sha}`, sha256: sha, size: 1, filename: "f.hex", content_type: "x" };
  return {
    ...base,
    status: "finished",
    artifacts: { firmware: ref },
    built_by: { agent_id: `${tokenId}-agent`, token_id: tokenId, trust },
    result: BUILD_RESULT,
  };
}

const candidateOf = (tokenId: string, sha = SHA): CacheCandidate => ({
  content_key: KEY,
  firmware_version: "demo-1",
  builds: [
    {
      agent_id: "x",
      token_id: tokenId,
      trust: "community",
      job_id: "1".repeat(32),
      firmware_sha256: sha,
      at: NOW,
    },
  ],
});

describe("admitBuild, default policy (trusted-reproduction)", () => {
  it("keeps a second community token's agreeing build a candidate", () => {
    const record = finished("2".repeat(32), "community-b", "community");
    expect(admitBuild(record, candidateOf("community-a"), NOW).kind).toBe("candidate");
  });

  it("takes a trusted build at once", () => {
    const record = finished("3".repeat(32), "fleet", "trusted");
    expect(admitBuild(record, candidateOf("community-a"), NOW).kind).toBe("cache");
  });
});

describe("admitBuild, two-tokens policy (operator's choice)", () => {
  it("takes a community build a second community token reproduced byte for byte", () => {
    const record = finished("2".repeat(32), "community-b", "community");
    const admission = admitBuild(record, candidateOf("community-a"), NOW, "two-tokens");
    expect(admission.kind).toBe("cache");
  });

  it("keeps disagreeing or same-token builds candidates", () => {
    const record = finished("2".repeat(32), "community-b", "community");
    expect(admitBuild(record, candidateOf("community-a", "c".repeat(64)), NOW, "two-tokens").kind).toBe(
      "candidate",
    );
    expect(admitBuild(record, candidateOf("community-b"), NOW, "two-tokens").kind).toBe("candidate");
  });
});
