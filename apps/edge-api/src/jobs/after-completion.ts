import type { JobRecord } from "@qmk-edge/schema";
import type { JobStore } from "../ports/job-store.ts";
import { type CommunityCachePolicy, publishBuild } from "./build-cache.ts";
import { markVerified } from "./lifecycle.ts";

export interface AfterCompletion {
  // The record to keep: `verified` now when the build cache took the build; the same object otherwise.
  record: JobRecord;
  // What the dispatcher remembers for the keyboard's later jobs (their toolchain lane), or null.
  learned: { keyboard: string; toolchain: string } | null;
}

// The steps after a job finished, the same on both dispatchers: the build is offered to the build cache
// (jobs/build-cache.ts); a reproduced community build becomes verified; only verified builds teach the
// keyboard's toolchain, so no untrusted agent can steer later jobs into the wrong lane. A cache that
// cannot be written costs a rebuild, never the job. The caller stores `record` when it changed.
export async function afterCompletion(
  jobs: JobStore,
  record: JobRecord,
  now: string,
  policy: CommunityCachePolicy = "trusted-reproduction",
): Promise<AfterCompletion> {
  if (record.status !== "finished") return { record, learned: null };
  let verified = record.verified === true;
  try {
    verified = (await publishBuild(jobs, record, now, policy)) || verified;
  } catch (err) {
    console.error(`dispatcher: build cache update for job ${record.id} failed`, err);
  }
  const final = verified ? markVerified(record) : record;
  const learned =
    verified && final.toolchain ? { keyboard: final.request.keyboard, toolchain: final.toolchain } : null;
  return { record: final, learned };
}
