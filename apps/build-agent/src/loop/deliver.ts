import type { LeaseResponse } from "@qmk-edge/schema";
import type { ApiClient } from "../api/client.ts";
import { LeaseLostError, PayloadTooLargeError } from "../api/errors.ts";
import { tail } from "../job/renamed-output.ts";
import type { JobOutcome } from "../job/run-job.ts";
import { formatDuration, type Logger } from "../log.ts";
import { attachTree, uploadArtifacts } from "../steps/upload.ts";

// Uploads then completes. A failed build's artifacts are a courtesy: their upload may fail without
// keeping the failure from being reported. A finished build whose artifact the API refuses as too large
// is reported as failed, saying so.
export async function deliver(
  api: ApiClient,
  outcome: Extract<JobOutcome, { kind: "done" }>,
  lease: LeaseResponse,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  const result = { ...outcome.result, timings: { ...outcome.result.timings } };
  const t0 = performance.now();
  try {
    await uploadArtifacts(api, lease.job.id, lease.lease_id, outcome.artifacts, signal);
    const tree = outcome.artifacts.find((a) => a.kind === "tree");
    if (tree && result.status === "finished") {
      await attachTree(api, lease.job.id, lease.lease_id, tree, log, signal);
    }
  } catch (err) {
    if (err instanceof LeaseLostError || signal.aborted) throw err;
    if (result.status === "finished" && !(err instanceof PayloadTooLargeError)) throw err;
    log.warn("artifact upload failed", { problem: String(err) });
    if (result.status === "finished") {
      result.status = "failed";
      result.returncode = 1;
      result.firmware_filename = null;
      result.output = tail(
        `${result.output}\nerror: the API refused an artifact: ${(err as Error).message}\n`,
      );
    }
  }
  result.timings.upload_ms = Math.round(performance.now() - t0);
  log.info(`done in ${formatDuration(result.timings.upload_ms)}`, { stage: "uploading" });
  await api.complete(lease.job.id, { lease_id: lease.lease_id, ...result }, signal);
}
