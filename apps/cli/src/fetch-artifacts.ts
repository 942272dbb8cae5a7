import type { CompileStatus } from "@qmk-edge/schema";
import type { CompileApi, Downloaded } from "./api-client.ts";

export type Artifacts = { firmware: Downloaded; source?: Downloaded };

// Firmware (and the source zip when asked) of a finished job, verified and saved in `out`.
export async function fetchArtifacts(
  api: CompileApi,
  status: CompileStatus,
  out: string,
  withSource: boolean,
): Promise<Artifacts> {
  const result = status.result;
  if (status.status !== "finished" || !result)
    throw new Error(`job ${status.id} is ${status.status}, not finished`);
  const firmware = await api.download(
    result.firmware_binary_url[0]!,
    out,
    result.firmware_filename ?? `${status.id}.bin`,
  );
  if (!withSource) return { firmware };
  const source = await api.download(result.firmware_source_url[0]!, out, result.source_archive);
  return { firmware, source };
}
