import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeZipFile } from "../src/zip/zip-writer.ts";

// The agent's zip writer, checked with the tools users unzip with: Info-ZIP's unzip and Python's zipfile.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-zip-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const python = (code: string) => execa("python3", ["-c", code]).then((r) => r.stdout.trim());

describe("zips the agent writes", () => {
  test("unzip back to the same bytes and permissions: empty, text, incompressible, large from disk", async () => {
    const big = randomBytes(3 * 1024 * 1024); // over the small-file limit: the async path, stored
    await writeFile(join(dir, "big.bin"), big);
    await writeFile(join(dir, "run.sh"), "#!/bin/sh\necho hi\n");
    await chmod(join(dir, "run.sh"), 0o755);
    const zip = join(dir, "a.zip");
    await writeZipFile(
      zip,
      [
        { name: "big.bin", mode: 0o644, path: join(dir, "big.bin"), size: big.length },
        { name: "dir/empty", mode: 0o644, content: "" },
        { name: "dir/run.sh", mode: 0o755, path: join(dir, "run.sh"), size: 18 },
        { name: "dir/text.c", mode: 0o644, content: "int x;\n".repeat(1000) },
      ],
      { level: 9 },
    );
    expect((await execa("unzip", ["-tq", zip])).stdout).toMatch(/No errors detected/);
    const out = join(dir, "out");
    await execa("unzip", ["-q", zip, "-d", out]);
    expect((await readFile(join(out, "big.bin"))).equals(big)).toBe(true);
    expect(await readFile(join(out, "dir/empty"), "utf8")).toBe("");
    expect(await readFile(join(out, "dir/text.c"), "utf8")).toBe("int x;\n".repeat(1000));
    const listing = (await execa("unzip", ["-Zl", zip])).stdout;
    expect(listing).toMatch(/-rwxr-xr-x .* dir\/run\.sh/);
    expect(listing).toMatch(/-rw-r--r-- .* defN .* dir\/text\.c/);
    expect(listing).toMatch(/stor .* big\.bin/); // deflating random bytes would grow them
  });

  test("equal entries give byte-equal zips", async () => {
    const entries = [
      { name: "a", mode: 0o644, content: "same" },
      { name: "b/c", mode: 0o600, content: "bytes" },
    ];
    await writeZipFile(join(dir, "1.zip"), entries, { level: 6 });
    await writeZipFile(join(dir, "2.zip"), entries, { level: 6 });
    expect((await readFile(join(dir, "1.zip"))).equals(await readFile(join(dir, "2.zip")))).toBe(true);
  });

  test("more than 65,535 entries (zip64 end records) still list and extract", async () => {
    const n = 70_000;
    const zip = join(dir, "many.zip");
    const entries = Array.from({ length: n }, (_, i) => ({
      name: `d${Math.floor(i / 1000)}/f${i}`,
      mode: 0o644,
      content: `${i}\n`,
    }));
    await writeZipFile(zip, entries, { level: 1 });
    const count = await python(
      `import zipfile; z = zipfile.ZipFile(${JSON.stringify(zip)}); assert z.testzip() is None; print(len(z.namelist()), z.read("d69/f69999").decode().strip())`,
    );
    expect(count).toBe(`${n} 69999`);
    expect((await execa("unzip", ["-tq", zip])).stdout).toMatch(/No errors detected/);
  });
});
