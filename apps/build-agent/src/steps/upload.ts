import { openAsBlob } from "node:fs";
import type { ArtifactUploadResponse } from "@qmk-edge/schema";
import type { ApiClient } from "../api/client.ts";
import { LeaseLostError } from "../api/errors.ts";
import type { Logger } from "../log.ts";
import type { LocalArtifact } from "./package.ts";

// Stage "uploading": each artifact with its sha256, firmware first (completing as `finished` needs it).
// The client retries transient failures; LeaseLostError (409) propagates so the job is abandoned.
// Bodies stream from disk, never read whole into memory.

const ORDER = { firmware: 0, source: 1, keymap: 2, log: 3, tree: 4 } as const;

export async function uploadArtifacts(
  api: ApiClient,
  jobId: string,
  leaseId: string,
  artifacts: LocalArtifact[],
  signal?: AbortSignal,
): Promise<ArtifactUploadResponse[]> {
  const sorted = artifacts.filter((a) => a.kind !== "tree").sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  const done: ArtifactUploadResponse[] = [];
  for (const a of sorted) done.push(await upload(api, jobId, leaseId, a, signal));
  return done;
}

function upload(
  api: ApiClient,
  jobId: string,
  leaseId: string,
  a: LocalArtifact,
  signal?: AbortSignal,
): Promise<ArtifactUploadResponse> {
  return openAsBlob(a.path).then((body) =>
    api.uploadArtifact(jobId, a.kind, { leaseId, filename: a.filename, sha256: a.sha256, body }, signal),
  );
}

// The version's tree zip: one object shared by every job, so it is linked when the API has it and
// uploaded only when it has not. A courtesy like the source zip's manifest mention of it: any failure
// but a lost lease is logged and the job completes without it.
export async function attachTree(
  api: ApiClient,
  jobId: string,
  leaseId: string,
  tree: LocalArtifact,
  log: Logger,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    const link = { lease_id: leaseId, sha256: tree.sha256, size: tree.size, filename: tree.filename };
    if (await api.linkArtifact(jobId, "tree", link, signal)) return true;
    log.info("uploading the firmware tree archive (once per version and API)", { bytes: tree.size });
    await upload(api, jobId, leaseId, tree, signal);
    return true;
  } catch (err) {
    if (err instanceof LeaseLostError || signal?.aborted) throw err;
    log.warn("could not attach the firmware tree archive; the job goes without it", { problem: String(err) });
    return false;
  }
}
