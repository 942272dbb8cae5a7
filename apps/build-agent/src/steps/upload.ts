import { readFile } from "node:fs/promises";
import type { ArtifactUploadResponse } from "@qmk-edge/schema";
import type { ApiClient } from "../api-client.ts";
import type { LocalArtifact } from "./package.ts";

// Stage "uploading": each artifact with its sha256, firmware first (completing as `finished` needs it).
// The client retries transient failures; LeaseLostError (409) propagates so the job is abandoned.

const ORDER = { firmware: 0, source: 1, keymap: 2, log: 3 } as const;

export async function uploadArtifacts(
  api: ApiClient,
  jobId: string,
  leaseId: string,
  artifacts: LocalArtifact[],
  signal?: AbortSignal,
): Promise<ArtifactUploadResponse[]> {
  const sorted = [...artifacts].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  const done: ArtifactUploadResponse[] = [];
  for (const a of sorted) {
    const body = await readFile(a.path);
    done.push(
      await api.uploadArtifact(
        jobId,
        a.kind,
        { leaseId, filename: a.filename, sha256: a.sha256, body },
        signal,
      ),
    );
  }
  return done;
}
