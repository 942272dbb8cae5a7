import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DirStaticFiles } from "../src/adapters/static-files/dir.ts";

// STATIC_DIR's reader on its own: what it refuses is the filesystem's business, so it is tested here, on a
// directory with a dotfile and links that lead out of it.
const root = mkdtempSync(join(tmpdir(), "qmk-edge-static-"));
const outside = mkdtempSync(join(tmpdir(), "qmk-edge-outside-"));
mkdirSync(join(root, "app"));
writeFileSync(join(root, "index.html"), "<!doctype html>index");
writeFileSync(join(root, "app", "index.html"), "<!doctype html>app");
writeFileSync(join(root, ".env"), "SECRET=1");
writeFileSync(join(outside, "secret.txt"), "secret");
symlinkSync(join(outside, "secret.txt"), join(root, "link.txt"));
symlinkSync(outside, join(root, "out"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const files = new DirStaticFiles(root);
const get = (path: string, method = "GET") => files.serve(new Request(`http://x${path}`, { method }));

describe("DirStaticFiles", () => {
  it("serves files and a directory's index.html, with their type and length; HEAD has no body", async () => {
    const index = await get("/");
    expect(index?.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await index?.text()).toBe("<!doctype html>index");
    expect(await (await get("/app/"))?.text()).toBe("<!doctype html>app");
    const head = await get("/index.html", "HEAD");
    expect(head?.headers.get("content-length")).toBe("20");
    expect(await head?.text()).toBe("");
  });

  it("serves nothing outside the directory, no dotfiles, and nothing to other methods", async () => {
    for (const path of [
      "/.env",
      "/link.txt",
      "/out/secret.txt",
      "/%2e%2e/x",
      "/app/..%2f.env",
      "/%E0%A4%A",
    ]) {
      expect(await get(path), path).toBeNull();
    }
    expect(await get("/index.html", "POST")).toBeNull();
  });
});
