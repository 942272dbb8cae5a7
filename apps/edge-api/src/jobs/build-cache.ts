import {
  type BuiltBy,
  CACHE_CANDIDATES_MAX,
  type CacheBuild,
  type CacheCandidate,
  type CacheEntry,
  type CompileRequest,
  type JobRecord,
} from "@qmk-edge/schema";
import type { JobStore } from "../ports/job-store.ts";
import { newJobRecord } from "./lifecycle.ts";

// Which finished builds answer later requests. A build cache entry is served to everyone, forever, as
// immutable: only a build by a trusted token goes in at once. A community build is served to its own job
// only, and kept as a candidate of its content key; when a job with the same key is later built by a
// different token with the same firmware sha256, the result is reproduced and enters the cache. Which
// tokens may reproduce it is the operator's policy: by default only a trusted one (a popular request is
// worth one trusted build), so no set of community tokens, however many one person holds, can put firmware
// in front of another user; `two-tokens` lets a second community token do it too. Both dispatchers call
// publishBuild after a job finished.

export type CommunityCachePolicy = "trusted-reproduction" | "two-tokens";

export function cacheBuildOf(record: JobRecord, now: string): CacheBuild | null {
  const firmware = record.artifacts.firmware;
  if (record.status !== "finished" || !record.result || !firmware || !record.built_by) return null;
  return { ...record.built_by, job_id: record.id, firmware_sha256: firmware.sha256, at: now };
}

export type Admission =
  // Into the cache; an existing candidate of the key is dropped.
  | { kind: "cache"; entry: CacheEntry }
  // Not yet: the candidate to store for the key.
  | { kind: "candidate"; candidate: CacheCandidate }
  | { kind: "none" };

export function admitBuild(
  record: JobRecord,
  candidate: CacheCandidate | null,
  now: string,
  policy: CommunityCachePolicy = "trusted-reproduction",
): Admission {
  const build = cacheBuildOf(record, now);
  if (!build || !record.result) return { kind: "none" };
  const entry = (producers: CacheBuild[]): Admission => ({
    kind: "cache",
    entry: {
      content_key: record.content_key,
      job_id: record.id,
      firmware_version: record.firmware_version,
      artifacts: record.artifacts,
      result: record.result!,
      created_at: now,
      producers,
    },
  });
  const earlier = candidate?.firmware_version === record.firmware_version ? candidate.builds : [];
  if (build.trust === "trusted") return entry([build]);
  const agreeing =
    policy === "two-tokens"
      ? earlier.find((b) => b.token_id !== build.token_id && b.firmware_sha256 === build.firmware_sha256)
      : undefined;
  if (agreeing) return entry([agreeing, build]);
  // One build per token, newest first: a token cannot crowd out the others by building again.
  const builds = [build, ...earlier.filter((b) => b.token_id !== build.token_id)].slice(
    0,
    CACHE_CANDIDATES_MAX,
  );
  return {
    kind: "candidate",
    candidate: { content_key: record.content_key, firmware_version: record.firmware_version, builds },
  };
}

// Applies admitBuild to the store. Returns whether the build is now verified (in the cache). Producer
// markers are written first, so a purge of a token always finds what it produced.
export async function publishBuild(
  jobs: JobStore,
  record: JobRecord,
  now: string,
  policy: CommunityCachePolicy = "trusted-reproduction",
): Promise<boolean> {
  const community = record.built_by?.trust === "community";
  const candidate = community ? await jobs.getCandidate(record.content_key) : null;
  const admission = admitBuild(record, candidate, now, policy);
  if (admission.kind === "none") return false;
  // The job got this token's firmware: a purge of the token finds and marks it.
  await jobs.markServed(record.built_by!.token_id, record.id);
  if (admission.kind === "candidate") {
    await jobs.markProducer(record.built_by!.token_id, record.content_key);
    await jobs.putCandidate(admission.candidate);
    return false;
  }
  for (const producer of admission.entry.producers ?? []) {
    await jobs.markProducer(producer.token_id, record.content_key);
  }
  await jobs.putCache(admission.entry);
  if (candidate) await jobs.deleteCandidate(record.content_key);
  return true;
}

// A job answered from the cache got firmware from every token that produced the entry: a purge finds it.
export function cacheHitServedBy(cache: CacheEntry): string[] {
  return [...new Set((cache.producers ?? []).map((producer) => producer.token_id))];
}

// Who put a cache entry there (the build that made it trusted); entries from before trust levels have none.
function cacheBuilder(cache: CacheEntry): BuiltBy | null {
  const last = cache.producers?.at(-1);
  return last ? { agent_id: last.agent_id, token_id: last.token_id, trust: last.trust } : null;
}

// A new job answered from the build cache: finished at once, pointing at the earlier build's artifacts.
export function cachedJobRecord(args: {
  id: string;
  request: CompileRequest;
  cache: CacheEntry;
  now: string;
}) {
  const base = newJobRecord({
    id: args.id,
    request: args.request,
    contentKey: args.cache.content_key,
    firmwareVersion: args.cache.firmware_version,
    maxAttempts: 1,
    now: args.now,
  });
  return {
    ...base,
    started_at: args.now,
    finished_at: args.now,
    status: "finished",
    toolchain: args.cache.result.toolchain,
    cache_hit_of: args.cache.job_id,
    artifacts: args.cache.artifacts,
    result: args.cache.result,
    built_by: cacheBuilder(args.cache),
    verified: true,
    history: [
      { at: args.now, status: "finished", stage: null, note: `build cache hit of ${args.cache.job_id}` },
    ],
  } satisfies JobRecord;
}
