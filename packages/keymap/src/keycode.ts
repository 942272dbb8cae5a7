import { LIMITS } from "@qmk-edge/schema";
import { KeycodeLexer, KeycodeSyntaxError, type Token } from "./keycode-lexer.ts";

// The keycode grammar (spaces allowed between tokens, nothing else):
//
//   keycode := "ANY" "(" expr ")" | expr
//   expr    := term ("|" term)*
//   term    := IDENTIFIER ("(" expr ("," expr)* ")")? | NUMBER
//
// IDENTIFIER is any C identifier: QMK adds keycodes every release, so existence is left to the compiler.
// NUMBER is decimal or 0x-hex up to 0xFFFF.

export type KeycodeExpr =
  | { kind: "identifier"; name: string }
  | { kind: "number"; text: string; value: number }
  | { kind: "call"; name: string; args: KeycodeExpr[] }
  | { kind: "or"; operands: KeycodeExpr[] };

// `ANY(expr)` is how Configurator wraps a keycode it has no button for; QMK emits just the inner expression.
export type Keycode = KeycodeExpr | { kind: "any"; expr: KeycodeExpr };

export type KeycodeError = { reason: string; column: number | null; message: string };

export type KeycodeParse = { ok: true; keycode: Keycode } | { ok: false; error: KeycodeError };

export const KEYCODE_MAX_DEPTH = LIMITS.keycodeDepth;
export const KEYCODE_MAX_CHARS = LIMITS.keycodeChars;

function describeToken(token: Token): string {
  return token.kind === "end" ? "unexpected end of keycode" : `unexpected '${token.text}'`;
}

function fail(token: Token): never {
  throw new KeycodeSyntaxError(describeToken(token), token.column);
}

function expectPunct(lexer: KeycodeLexer, text: ")" | "("): void {
  const token = lexer.next();
  if (token.kind !== "punct" || token.text !== text) {
    const reason = token.kind === "end" ? `missing '${text}'` : describeToken(token);
    throw new KeycodeSyntaxError(reason, token.column);
  }
}

function parseExpr(lexer: KeycodeLexer, depth: number): KeycodeExpr {
  const operands = [parseTerm(lexer, depth)];
  for (let t = lexer.peek(); t.kind === "punct" && t.text === "|"; t = lexer.peek()) {
    lexer.next();
    operands.push(parseTerm(lexer, depth));
  }
  return operands.length === 1 ? operands[0]! : { kind: "or", operands };
}

function parseTerm(lexer: KeycodeLexer, depth: number): KeycodeExpr {
  const token = lexer.next();
  if (token.kind === "number") return { kind: "number", text: token.text, value: token.value };
  if (token.kind !== "identifier") fail(token);
  const open = lexer.peek();
  if (open.kind !== "punct" || open.text !== "(") return { kind: "identifier", name: token.text };
  if (token.text === "ANY") {
    throw new KeycodeSyntaxError("ANY(...) may only wrap a whole keycode", token.column);
  }
  return { kind: "call", name: token.text, args: parseArgs(lexer, depth + 1, open.column) };
}

function parseArgs(lexer: KeycodeLexer, depth: number, column: number): KeycodeExpr[] {
  if (depth > KEYCODE_MAX_DEPTH) {
    throw new KeycodeSyntaxError(`nested deeper than ${KEYCODE_MAX_DEPTH} levels`, column);
  }
  expectPunct(lexer, "(");
  const args = [parseExpr(lexer, depth)];
  for (let t = lexer.peek(); t.kind === "punct" && t.text === ","; t = lexer.peek()) {
    lexer.next();
    args.push(parseExpr(lexer, depth));
  }
  expectPunct(lexer, ")");
  return args;
}

function parseWhole(text: string): Keycode {
  if (typeof text !== "string") throw new KeycodeSyntaxError(`expected a string, got ${typeof text}`, null);
  if (text.length > KEYCODE_MAX_CHARS) {
    throw new KeycodeSyntaxError(`longer than ${KEYCODE_MAX_CHARS} characters`, null);
  }
  if (text.trim() === "") throw new KeycodeSyntaxError("empty keycode", null);
  const lexer = new KeycodeLexer(text);
  const first = lexer.peek();
  let keycode: Keycode;
  const second = first.kind === "identifier" && first.text === "ANY" ? lexer.peek(1) : null;
  if (second?.kind === "punct" && second.text === "(") {
    lexer.next();
    const args = parseArgs(lexer, 1, second.column);
    if (args.length !== 1) throw new KeycodeSyntaxError("ANY(...) takes exactly one argument", first.column);
    keycode = { kind: "any", expr: args[0]! };
  } else {
    keycode = parseExpr(lexer, 0);
  }
  const rest = lexer.next();
  if (rest.kind !== "end") fail(rest);
  return keycode;
}

export function parseKeycode(text: string): KeycodeParse {
  try {
    return { ok: true, keycode: parseWhole(text) };
  } catch (err) {
    if (!(err instanceof KeycodeSyntaxError)) throw err;
    return { ok: false, error: { reason: err.reason, column: err.column, message: err.message } };
  }
}

function renderExpr(expr: KeycodeExpr): string {
  switch (expr.kind) {
    case "identifier":
      return expr.name;
    case "number":
      return expr.text;
    case "call":
      return `${expr.name}(${expr.args.map(renderExpr).join(", ")})`;
    case "or":
      return expr.operands.map(renderExpr).join(" | ");
  }
}

// The canonical text of a keycode, as kept in keymap.json: `LT(1, KC_SPC)`, `ANY(0x7C00)`.
export function renderKeycode(keycode: Keycode): string {
  return keycode.kind === "any" ? `ANY(${renderExpr(keycode.expr)})` : renderExpr(keycode);
}

// The C expression QMK's json2c would write for it: ANY(...) unwrapped.
export function renderKeycodeC(keycode: Keycode): string {
  return renderExpr(keycode.kind === "any" ? keycode.expr : keycode);
}
