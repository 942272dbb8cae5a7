import type { ArtifactKind, ArtifactRef, JobRecord } from "@qmk-edge/schema";

// The one rule for which artifacts of an ended job exist for clients: the download routes serve exactly these
// and the status answer links exactly these. A failed build serves no firmware, whatever was uploaded on the way.
export function servableArtifact(record: JobRecord, kind: ArtifactKind): ArtifactRef | undefined {
  if (record.status === "failed" && kind === "firmware") return undefined;
  return record.artifacts[kind];
}
