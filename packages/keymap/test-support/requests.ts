import type { CompileRequestParse } from "../src/parse-compile-request.ts";
import { parseCompileRequest } from "../src/parse-compile-request.ts";
import type { ParsedCompileRequest } from "../src/parsed-request.ts";

// The smallest request the schema accepts, for tests to change one field of.
export const minimalRequest = {
  keyboard: "planck/rev6",
  keymap: "default",
  layout: "LAYOUT_ortho_4x12",
  layers: [["KC_A", "KC_B"]],
};

// A parse the test expects to be refused; fails the test if it was accepted.
export function refusal(result: CompileRequestParse): Extract<CompileRequestParse, { ok: false }> {
  if (result.ok) throw new Error("accepted");
  return result;
}

// A parse the test expects to be accepted; fails the test with the field errors if it was refused.
export function accepted(result: CompileRequestParse): ParsedCompileRequest {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.value;
}

// minimalRequest with some fields changed, validated.
export function parsedRequest(fields: Record<string, unknown>): ParsedCompileRequest {
  return accepted(parseCompileRequest({ ...minimalRequest, ...fields }));
}
