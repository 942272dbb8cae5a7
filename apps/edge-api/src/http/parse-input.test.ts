import { jobId } from "@qmk-edge/schema";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseJobId } from "./parse-input.ts";
import { MalformedRequestError } from "./request-errors.ts";

afterEach(() => vi.restoreAllMocks());

describe("parseJobId", () => {
  it("takes a well-formed id without the schema's parse (every status poll has one)", () => {
    const parse = vi.spyOn(jobId, "safeParse");
    for (const id of ["0123456789abcdef0123456789abcdef", "f".repeat(32), "0".repeat(32)]) {
      expect(parseJobId(id)).toBe(id);
    }
    expect(parse).not.toHaveBeenCalled();
  });

  it("refuses what the schema refuses, with the same answer as before", () => {
    const bad = [
      undefined,
      "",
      "A".repeat(32),
      "g".repeat(32),
      "a".repeat(31),
      "a".repeat(33),
      `${"a".repeat(32)}\n`,
      ` ${"a".repeat(31)}`,
      "ａ".repeat(32),
    ];
    for (const value of bad) {
      expect(value !== undefined && jobId.safeParse(value).success).toBe(false);
      expect(() => parseJobId(value)).toThrow(MalformedRequestError);
    }
  });
});
