// A queued job of the body the API tests POST (api-client.ts compileBody), with its real content key: what
// the Dispatcher object tests hand a shard or the store directly, without a POST.
import type { JobRecord } from "@qmk-edge/schema";
import { sha256Hex } from "../src/bytes/sha256-hex.ts";
import { contentKey } from "../src/jobs/content-key.ts";
import { newId } from "../src/jobs/job-id.ts";
import { newJobRecord } from "../src/jobs/lifecycle.ts";
import { compileBody } from "./api-client.ts";
import type { Target } from "./target.ts";

export async function compileJobRecord(
  target: Pick<Target, "firmwareVersion" | "maxAttempts">,
  options: { id?: string; now?: Date } = {},
): Promise<JobRecord> {
  const request = compileBody() as JobRecord["request"];
  return newJobRecord({
    id: options.id ?? newId(),
    request,
    contentKey: await contentKey(request, target.firmwareVersion, sha256Hex),
    firmwareVersion: target.firmwareVersion,
    maxAttempts: target.maxAttempts,
    now: (options.now ?? new Date()).toISOString(),
  });
}
