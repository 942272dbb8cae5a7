// The links in .tools/bin. Several bootstraps run side by side (four `npm start`s in the e2e tests, a test run
// beside `npm start`), so a link is left alone when right and otherwise replaced by rename: remove-then-create
// lets another bootstrap's create fail with EEXIST, or run a command while the link is missing.
import { readlinkSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";

export function linkTool(dir, name, target) {
  const link = join(dir, name);
  try {
    if (readlinkSync(link) === target) return;
  } catch {
    // missing or not a link: made below
  }
  const temp = `${link}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  symlinkSync(target, temp);
  renameSync(temp, link);
}
