import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./qmk-fixtures.ts";

// The repository's own QMK-shaped demo tree (firmware/demo-tree), read in place.
export const DEMO_QUANTUM_DIR = join(repoRoot(), "firmware", "demo-tree", "quantum");

// The headers every keymap of the demo tree gets: quantum_keycodes.h includes keymap_extras/keymap_us.h
// (the shifted US symbols), as QMK's does.
export function demoKeycodeHeaders(): string[] {
  return ["keycodes.h", "quantum_keycodes.h", "keymap_extras/keymap_us.h"].map((f) =>
    readFileSync(join(DEMO_QUANTUM_DIR, f), "utf8"),
  );
}
