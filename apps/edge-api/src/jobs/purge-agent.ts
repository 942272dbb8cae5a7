import type { PurgeAgentResponse } from "@qmk-edge/schema";
import type { JobStore } from "../ports/job-store.ts";

// The operator's answer to a token that built something it should not have: every build cache entry that
// token helped produce is removed (later identical requests are built again), and its candidate builds are
// dropped so they never count towards a reproduction. Jobs already answered keep what they were given.
export async function purgeAgent(jobs: JobStore, tokenId: string): Promise<PurgeAgentResponse> {
  const removed: string[] = [];
  const updated: string[] = [];
  for (const key of await jobs.producedBy(tokenId)) {
    const entry = await jobs.getCache(key);
    if (entry?.producers?.some((p) => p.token_id === tokenId)) {
      await jobs.deleteCache(key);
      removed.push(key);
    }
    const candidate = await jobs.getCandidate(key);
    if (candidate?.builds.some((b) => b.token_id === tokenId)) {
      const builds = candidate.builds.filter((b) => b.token_id !== tokenId);
      if (builds.length === 0) await jobs.deleteCandidate(key);
      else await jobs.putCandidate({ ...candidate, builds });
      updated.push(key);
    }
    await jobs.unmarkProducer(tokenId, key);
  }
  return { token_id: tokenId, removed_cache_entries: removed, updated_candidates: updated };
}
