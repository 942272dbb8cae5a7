import { describe, expect, it } from "vitest";
import { newId } from "./job-id.ts";

describe("newId", () => {
  it("gives 32 lower-case hex characters, never the same twice, across many refills of its pool", () => {
    const ids = Array.from({ length: 5_000 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("draws every id from fresh random bits (no two ids share a 64-bit half)", () => {
    const halves = Array.from({ length: 2_000 }, () => newId()).flatMap((id) => [
      id.slice(0, 16),
      id.slice(16),
    ]);
    expect(new Set(halves).size).toBe(halves.length);
  });
});
