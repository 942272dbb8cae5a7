// A reader for the hjson QMK keeps its keycode data in (data/constants/keycodes/*.hjson): JSON plus
// comments (#, //, /* */), commas that may be left out at a line end or left over before a closer, unquoted
// keys, unquoted values that run to the end of the line, and empty files. Enough of https://hjson.github.io for those
// files; multi-line ''' strings and a root object without braces are not read.
import { LIMITS } from "@qmk-edge/schema";

const MAX_DEPTH = LIMITS.jsonDepth;
const KEYWORD_OR_NUMBER =
  /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)(?=\s*(?:$|[,\]}]|#|\/\/|\/\*))/;

export class HjsonError extends Error {
  constructor(message: string, at: number, text: string) {
    const line = text.slice(0, at).split("\n").length;
    super(`${message} at line ${line}`);
    this.name = "HjsonError";
  }
}

export function parseHjson(text: string): unknown {
  let i = 0;
  const fail = (message: string): never => {
    throw new HjsonError(message, i, text);
  };

  const skipBlank = () => {
    for (;;) {
      const ch = text[i];
      if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") i++;
      else if (ch === "#" || (ch === "/" && text[i + 1] === "/"))
        while (i < text.length && text[i] !== "\n") i++;
      else if (ch === "/" && text[i + 1] === "*") {
        const end = text.indexOf("*/", i + 2);
        i = end < 0 ? fail("unterminated comment") : end + 2;
      } else return;
    }
  };

  const quoted = (): string => {
    const quote = text[i]!;
    let j = i + 1;
    while (j < text.length && text[j] !== quote) j += text[j] === "\\" ? 2 : 1;
    if (j >= text.length) fail("unterminated string");
    const body = text.slice(i + 1, j);
    i = j + 1;
    // hjson allows \' in both kinds of string (hjson-py, which QMK reads keyboard.json with, does too);
    // JSON does not, and a bare " inside a '...' string must be escaped for it. Escapes are taken in
    // pairs, so \\' stays an escaped backslash and a quote.
    const asJson = body.replace(/\\([\s\S])|"/g, (m, c: string | undefined) =>
      c === undefined ? '\\"' : c === "'" ? "'" : m,
    );
    try {
      return JSON.parse(`"${asJson}"`) as string;
    } catch {
      return fail("bad escape in string");
    }
  };

  const key = (): string => {
    if (text[i] === '"' || text[i] === "'") return quoted();
    const start = i;
    while (i < text.length && !/[\s,:[\]{}]/.test(text[i]!)) i++;
    if (i === start) fail("expected a key");
    return text.slice(start, i);
  };

  const bare = (): unknown => {
    const end = text.indexOf("\n", i);
    const line = text.slice(i, end < 0 ? text.length : end);
    const word = KEYWORD_OR_NUMBER.exec(line);
    if (word) {
      i += word[0].length;
      return JSON.parse(word[0]);
    }
    i += line.length;
    return line.trim();
  };

  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
    skipBlank();
    const ch = text[i];
    if (ch === "{" || ch === "[") return container(ch, depth);
    if (ch === '"' || ch === "'") return quoted();
    if (ch === undefined || ch === "," || ch === "}" || ch === "]" || ch === ":")
      return fail("expected a value");
    return bare();
  };

  const container = (open: "{" | "[", depth: number): unknown => {
    const close = open === "{" ? "}" : "]";
    const object: Record<string, unknown> = Object.create(null);
    const array: unknown[] = [];
    i++;
    for (;;) {
      skipBlank();
      if (text[i] === close) {
        i++;
        return open === "{" ? { ...object } : array;
      }
      if (i >= text.length) fail(`missing '${close}'`);
      if (open === "{") {
        const name = key();
        skipBlank();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        Object.defineProperty(object, name, {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else array.push(value(depth + 1));
      skipBlank();
      if (text[i] === ",") i++;
    }
  };

  // An empty file is an empty object, as QMK's hjson library reads it (keycodes_0.0.3.hjson is one).
  skipBlank();
  if (i >= text.length) return {};
  const result = value(0);
  skipBlank();
  if (i < text.length) fail("unexpected text after the value");
  return result;
}
