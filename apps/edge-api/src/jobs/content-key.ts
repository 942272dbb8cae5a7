import { type CompileRequest, canonicalCompileRequest } from "@qmk-edge/schema";
import { sha256Hex } from "../bytes/sha256-hex.ts";

// Identical requests against the same firmware version share a key, and so one build.
export function contentKey(request: CompileRequest, firmwareVersion: string): Promise<string> {
  const canonical = canonicalCompileRequest(request);
  return sha256Hex(JSON.stringify({ firmware_version: firmwareVersion, request: canonical }));
}
