import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertCleanEntryName, writeZip } from "../src/zip/packaging.ts";

// Entry names that could write outside the directory a zip is unzipped in never get into one.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-zip-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("zip entry names", () => {
  test.each(["../evil", "a/../../b", "/etc/passwd", "C:/x", "a\\..\\b", "a//b", "./a", "", "a/", "x\0y"])(
    "%j is refused",
    async (name) => {
      expect(() => assertCleanEntryName(name)).toThrow(/refusing zip entry name/);
      const dest = join(dir, "bad.zip");
      await expect(writeZip(dest, [{ name, content: "x" }])).rejects.toThrow(/refusing zip entry name/);
      await expect(stat(dest)).rejects.toThrow();
    },
  );

  test.each(["MANIFEST.json", "keyboards/handwired/edge_pad/keymaps/mine/keymap.c", "a..b/c.d"])(
    "%j is fine",
    (name) => {
      expect(() => assertCleanEntryName(name)).not.toThrow();
    },
  );
});
