// Text a macro types, as the body of a C string literal inside SEND_STRING(...).

// Printable ASCII, tab and line breaks: what SEND_STRING can type. Any other byte would be unsafe, not just
// untypeable: 0x01 starts one of send_string's own key commands (SS_TAP and friends), NUL ends the string, and
// bytes above 0x7F index past its 128-entry ASCII table.
export function firstUntypeable(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 || c > 0x7e) && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
  }
  return -1;
}

// QMK's escaping in _generate_macros_function (lib/python/qmk/keymap.py): backslash, line breaks (CR LF, LF
// and CR all become \n), tab and double quote. Text is typeable (firstUntypeable) by then.
export function escapeMacroText(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") {
      out += "\\n";
      if (text[i + 1] === "\n") i++;
    } else out += ch;
  }
  return out;
}

const TRIGRAPH_ENDS = new Set(["=", "(", "/", ")", "'", "<", "!", ">", "-"]);

// `??/` is a trigraph for `\` when trigraphs are on (-std=c99, -trigraphs). With QMK's -std=gnu11 -Wall
// they are off but warned about, and QMK's -Werror makes that a failed build (avr-gcc: "error: trigraph ??=
// ignored, use -trigraphs to enable [-Werror=trigraphs]"). QMK writes `?` as is; here the second `?` of a
// would-be trigraph becomes `\?`, which reads as `?` in every C mode. Text without `??` followed by one of
// = ( / ) ' < ! > - is left exactly as QMK writes it.
export function breakTrigraphs(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    const second = ch === "?" && body[i - 1] === "?" && TRIGRAPH_ENDS.has(body[i + 1] ?? "");
    out += second ? "\\?" : ch;
  }
  return out;
}
