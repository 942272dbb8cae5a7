// Terminal escape sequences (colours, cursor moves, titles) in build output. `result.output` is shown in
// browsers and terminals that did not ask for them, so they are removed there; the full log keeps them.
// CSI (ESC [ ... final), OSC (ESC ] ... BEL | ESC \), other two-byte escapes, and the C1 CSI byte.
const ESCAPES =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]|\x9b[0-?]*[ -/]*[@-~]/g;
// What is left of control characters after that, except tab, newline and carriage return.
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export function stripAnsi(text: string): string {
  return text.replace(ESCAPES, "").replace(CONTROLS, "");
}
