import { type CompileRequest, canonicalCompileRequest } from "@qmk-edge/schema";

// Identical requests against the same firmware version share a key, and so one build. `sha256Hex` is the
// runtime's (Deps.sha256Hex).
export function contentKey(
  request: CompileRequest,
  firmwareVersion: string,
  sha256Hex: (text: string) => Promise<string>,
): Promise<string> {
  const canonical = canonicalCompileRequest(request);
  return sha256Hex(JSON.stringify({ firmware_version: firmwareVersion, request: canonical }));
}
