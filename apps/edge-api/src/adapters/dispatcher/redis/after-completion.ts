import type { JobRecord } from "@qmk-edge/schema";
import type { Redis } from "ioredis";
import { afterCompletion } from "../../../jobs/after-completion.ts";
import type { CommunityCachePolicy } from "../../../jobs/build-cache.ts";
import type { JobStore } from "../../../ports/job-store.ts";
import type { RedisKeys } from "./keys.ts";

// jobs/after-completion.ts on Redis: the verified record is saved, the keyboard's toolchain learned (lanes.ts
// reads it). A failed write of the verified record costs the cache, never the job.
export async function afterCompletionOn(
  redis: Redis,
  keys: RedisKeys,
  jobs: JobStore,
  record: JobRecord,
  now: string,
  policy: CommunityCachePolicy,
): Promise<JobRecord> {
  const after = await afterCompletion(jobs, record, now, policy);
  if (after.record !== record) {
    await jobs.put(after.record).catch((err) => console.error("dispatcher: record write failed", err));
  }
  if (after.learned)
    await redis.hset(keys.keyboardToolchains, after.learned.keyboard, after.learned.toolchain);
  return after.record;
}
