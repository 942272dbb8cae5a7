// scripts/bootstrap.mjs runs in several processes at once whenever `npm start` and `npm test` (or the four e2e
// `npm start`s) start together; none may fail on another's half-made tool link, and none may find it missing.
import { spawn } from "node:child_process";
import { readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, expect, test } from "vitest";
import { makeTempDir, removeDir } from "../servers/daemon.ts";
import { REPO_ROOT } from "../support/system.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("node", args, { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stderr }));
  });
}

// Each process relinks in a tight loop, alternating targets so no call can skip, and reads the link between:
// a remove-then-create fails here within a few hundred calls.
test("tool links made by processes side by side never fail and are never missing", async () => {
  const dir = makeTempDir("tool-link");
  dirs.push(dir);
  const script = join(dir, "relink.mjs");
  const module = pathToFileURL(join(REPO_ROOT, "scripts", "tool-link.mjs")).href;
  writeFileSync(
    script,
    `import { readlinkSync } from "node:fs";
import { linkTool } from ${JSON.stringify(module)};
const [dir, me] = process.argv.slice(2);
for (let i = 0; i < 3000; i++) {
  linkTool(dir, "node", (i + Number(me)) % 2 ? "/target/a" : "/target/b");
  readlinkSync(dir + "/node");
}
`,
  );
  const runs = await Promise.all(Array.from({ length: 4 }, (_, me) => run([script, dir, String(me)])));
  for (const r of runs) expect(r, r.stderr).toMatchObject({ code: 0 });
  expect(readlinkSync(join(dir, "node"))).toMatch(/^\/target\/[ab]$/);
});

test("bootstraps side by side all succeed and leave .tools/bin linked to Node 22 and pnpm", async () => {
  const runs = await Promise.all(
    Array.from({ length: 6 }, () => run(["scripts/bootstrap.mjs", "exec", "node", "--version"])),
  );
  for (const r of runs) expect(r, r.stderr).toMatchObject({ code: 0 });
  const bin = join(REPO_ROOT, ".tools", "bin");
  expect(readlinkSync(join(bin, "node"))).toMatch(/node_modules\/node-linux-[^/]+\/bin\/node$/);
  expect(readlinkSync(join(bin, "pnpm"))).toMatch(/node_modules\/pnpm\/bin\/pnpm\.cjs$/);
});
