import { cpSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_TREE } from "../system.ts";

// A copy of the demo tree whose every make goal first sleeps `seconds`, so a build is surely still running
// when a test interrupts it. Its VERSION is the demo tree's; firmware/demo-tree itself is never touched.
export function slowDemoTree(dir: string, seconds: number): string {
  cpSync(DEMO_TREE, dir, {
    recursive: true,
    filter: (p) => !p.includes("/.build") && !/\/keymaps\/qe_/.test(p),
  });
  renameSync(join(dir, "Makefile"), join(dir, "Makefile.real"));
  writeFileSync(
    join(dir, "Makefile"),
    `%:\n\tsleep ${seconds}\n\t$(MAKE) --no-print-directory -f Makefile.real $@\n`,
  );
  return dir;
}
