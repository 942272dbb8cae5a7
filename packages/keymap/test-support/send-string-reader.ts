// A deliberately separate reader of a SEND_STRING(...) argument, so tests check what the C compiler would
// see without trusting the generator: a run of string literals and SS_*(X_name) / SS_DELAY(n) calls, nothing
// else. Returns what the keyboard would type, with calls shown as {SS_TAP(X_A)}, or throws on anything a C
// compiler could read differently (an unknown escape, a raw control byte, a trigraph).
const ESCAPES: Record<string, string> = { "\\": "\\", '"': '"', n: "\n", t: "\t", a: "\u0007", "?": "?" };
const TRIGRAPH = /\?\?[=(/)'<!>-]/;

export function readSendString(argument: string): string {
  let typed = "";
  let i = 0;
  while (i < argument.length) {
    if (argument[i] === '"') {
      i++;
      let raw = "";
      while (argument[i] !== '"') {
        if (i >= argument.length) throw new Error(`unterminated literal in ${argument}`);
        const ch = argument[i]!;
        const code = ch.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) throw new Error(`raw byte 0x${code.toString(16)} in a literal`);
        if (ch === "\\") {
          const next = argument[i + 1] ?? "";
          if (!(next in ESCAPES)) throw new Error(`unknown escape \\${next}`);
          typed += ESCAPES[next];
          raw += `\\${next}`;
          i += 2;
        } else {
          typed += ch;
          raw += ch;
          i++;
        }
      }
      if (TRIGRAPH.test(raw)) throw new Error(`trigraph in ${raw}`);
      i++;
      continue;
    }
    const call = /^SS_(?:(?:TAP|DOWN|UP)\(X_[A-Za-z0-9_]+\)|DELAY\([0-9]+\))/.exec(argument.slice(i));
    if (!call) throw new Error(`unexpected ${JSON.stringify(argument.slice(i, i + 20))} in ${argument}`);
    typed += `{${call[0]}}`;
    i += call[0].length;
  }
  return typed;
}

// Every SEND_STRING argument of a generated keymap.c, in QK_MACRO order.
export function sendStringArguments(keymapC: string): string[] {
  return keymapC
    .split("\n")
    .filter((line) => line.startsWith("                SEND_STRING("))
    .map((line) => {
      if (!line.endsWith(");")) throw new Error(`SEND_STRING line does not end the call: ${line}`);
      return line.slice("                SEND_STRING(".length, -2);
    });
}
