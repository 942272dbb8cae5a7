import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Real QMK data lives beside the repository (../shared/fixtures/qmk) and is read in place, never copied in.
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("no pnpm-workspace.yaml above this file");
    dir = parent;
  }
  return dir;
}

export const QMK_FIXTURES_DIR = resolve(repoRoot(), "..", "shared", "fixtures", "qmk");

export type KeymapFixture = { name: string; path: string; text: string; json: Record<string, unknown> };

export function keymapFixtures(): KeymapFixture[] {
  return readdirSync(QMK_FIXTURES_DIR)
    .filter((f) => f.endsWith(".keymap.json"))
    .sort()
    .map((name) => {
      const path = join(QMK_FIXTURES_DIR, name);
      const text = readFileSync(path, "utf8");
      return { name, path, text, json: JSON.parse(text) as Record<string, unknown> };
    });
}
