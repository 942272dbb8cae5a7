import { describe, expect, it } from "vitest";
import { parseHjson } from "./hjson.ts";

describe("parseHjson refuses what it cannot read, with the line", () => {
  it.each([
    ['{"a": 1', "missing '}' at line 1"],
    ['{\n"a" 1}', "expected ':' at line 2"],
    ['{"a": }', "expected a value at line 1"],
    ['["a", "b', "unterminated string at line 1"],
    ["{/* never closed", "unterminated comment at line 1"],
    ['{"a": "\\q"}', "bad escape in string at line 1"],
    ["{} {}", "unexpected text after the value at line 1"],
  ])("%j", (text, message) => {
    expect(() => parseHjson(text)).toThrow(message);
  });

  it("refuses nesting deeper than 64 levels without overflowing the stack", () => {
    expect(() => parseHjson("[".repeat(100_000))).toThrow("nested deeper than 64 levels");
  });
});
