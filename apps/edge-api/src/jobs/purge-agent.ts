import type { PurgeAgentResponse } from "@qmk-edge/schema";
import type { JobStore } from "../ports/job-store.ts";

// The operator's answer to a token that built something it should not have: every build cache entry that
// token helped produce is removed (later identical requests are built again), and its candidate builds are
// dropped so they never count towards a reproduction. Jobs already given that token's firmware (built by it,
// or answered from an entry it produced) are marked `purged`: their status says so and they are no longer
// `verified`, so their users know not to flash what they downloaded.
export async function purgeAgent(jobs: JobStore, tokenId: string, now: string): Promise<PurgeAgentResponse> {
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
  const marked: string[] = [];
  for (const jobId of await jobs.servedBy(tokenId)) {
    const record = await jobs.get(jobId);
    if (record?.status === "finished" && !record.purged) {
      await jobs.put({ ...record, verified: false, purged: { at: now, token_id: tokenId } });
      marked.push(jobId);
    }
  }
  return {
    token_id: tokenId,
    removed_cache_entries: removed,
    updated_candidates: updated,
    marked_jobs: marked,
  };
}
