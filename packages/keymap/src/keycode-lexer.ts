// Tokens of the keycode grammar. Anything that is not one of them stops the lexer with a located error,
// so no other character can ever reach a rendered keycode.

export type Token =
  | { kind: "identifier"; text: string; column: number }
  | { kind: "number"; text: string; value: number; column: number }
  | { kind: "punct"; text: "(" | ")" | "," | "|"; column: number }
  | { kind: "end"; column: number };

// `column` is 1-based, as an editor counts.
export class KeycodeSyntaxError extends Error {
  readonly column: number | null;
  readonly reason: string;

  constructor(reason: string, column: number | null) {
    super(column === null ? reason : `${reason} at ${column}`);
    this.name = "KeycodeSyntaxError";
    this.reason = reason;
    this.column = column;
  }
}

// Keycodes are uint16_t, so a literal beyond 0xFFFF cannot be meant.
export const KEYCODE_NUMBER_MAX = 0xffff;

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");

// How an error message names the character at `index`: never the raw character when it is not printable.
export function describeChar(text: string, index: number): string {
  const cp = text.codePointAt(index) ?? 0;
  if (cp < 0x20 || cp === 0x7f) return `control character U+${hex4(cp)}`;
  if (cp > 0x7e) return `non-ASCII character U+${hex4(cp)}`;
  if (cp === 0x27) return `unexpected "'"`;
  return `unexpected '${String.fromCodePoint(cp)}'`;
}

function readNumber(text: string, column: number): Token {
  const decimal = /^(0|[1-9][0-9]*)$/.test(text);
  const hex = /^0[xX][0-9A-Fa-f]+$/.test(text);
  if (!decimal && !hex) {
    const reason = /^0[0-9]+$/.test(text) ? "leading zeros are not allowed" : `invalid number '${text}'`;
    throw new KeycodeSyntaxError(reason, column);
  }
  const value = hex ? Number.parseInt(text.slice(2), 16) : Number.parseInt(text, 10);
  if (!(value <= KEYCODE_NUMBER_MAX)) {
    throw new KeycodeSyntaxError(`number '${text}' is larger than 0xFFFF`, column);
  }
  return { kind: "number", text: hex ? `0x${text.slice(2).toUpperCase()}` : text, value, column };
}

// Reads tokens on demand, so the first problem in reading order is the one reported.
export class KeycodeLexer {
  private readonly text: string;
  private index = 0;
  private readonly lookahead: Token[] = [];

  constructor(text: string) {
    this.text = text;
  }

  // `ahead` 0 is the next token, 1 the one after it.
  peek(ahead: 0 | 1 = 0): Token {
    while (this.lookahead.length <= ahead) this.lookahead.push(this.read());
    return this.lookahead[ahead]!;
  }

  next(): Token {
    const token = this.peek();
    this.lookahead.shift();
    return token;
  }

  private read(): Token {
    const { text } = this;
    while (text.charCodeAt(this.index) === 32) this.index++;
    const start = this.index;
    const column = start + 1;
    if (start >= text.length) return { kind: "end", column };
    const c = text.charCodeAt(start);
    if (isIdentStart(c)) {
      while (isIdentPart(text.charCodeAt(this.index))) this.index++;
      return { kind: "identifier", text: text.slice(start, this.index), column };
    }
    if (isDigit(c)) {
      while (isIdentPart(text.charCodeAt(this.index))) this.index++;
      return readNumber(text.slice(start, this.index), column);
    }
    if (c === 40 || c === 41 || c === 44 || c === 124) {
      this.index++;
      return { kind: "punct", text: text[start] as "(" | ")" | "," | "|", column };
    }
    throw new KeycodeSyntaxError(describeChar(text, start), column);
  }
}
