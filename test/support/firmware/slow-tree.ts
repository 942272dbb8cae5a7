import { cpSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_TREE } from "../system.ts";

// A copy of the demo tree whose every build first sleeps `seconds`, so a build is surely still running
// when a test interrupts it. The sleep is in builddefs/build_keyboard.mk, the makefile the agent runs
// (as `qmk compile` does); command-line variables reach the real one through MAKEFLAGS. Its VERSION is
// the demo tree's; firmware/demo-tree itself is never touched.
export function slowDemoTree(dir: string, seconds: number): string {
  cpSync(DEMO_TREE, dir, { recursive: true, filter: (p) => !p.includes("/.build") });
  const makefile = join(dir, "builddefs", "build_keyboard.mk");
  renameSync(makefile, join(dir, "builddefs", "build_keyboard.real.mk"));
  writeFileSync(
    makefile,
    `build:\n\tsleep ${seconds}\n\t$(MAKE) --no-print-directory -f builddefs/build_keyboard.real.mk\n`,
  );
  return dir;
}
