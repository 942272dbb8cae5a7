// Client text inside an error message. Everything outside printable ASCII is escaped (\n, \u041A), so a
// message never carries a control sequence to a terminal and look-alike letters show as what they are.
export function escapeInput(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += `\\u{${cp.toString(16).toUpperCase()}}`;
  }
  return out;
}

// `"KC_A;"`, or `"KC_AAAA..."... (10000 characters)` when longer than maxChars.
export function quoteInput(text: string, maxChars = 48): string {
  if (text.length <= maxChars) return `"${escapeInput(text)}"`;
  return `"${escapeInput(text.slice(0, maxChars))}"... (${text.length} characters)`;
}
