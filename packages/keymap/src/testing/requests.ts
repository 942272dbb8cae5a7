import type { CompileRequestParse } from "../parse-compile-request.ts";

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
