import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Real QMK data lives beside the repository (../shared/fixtures/qmk) and is read in place, never copied in.
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("no pnpm-workspace.yaml above this file");
    dir = parent;
  }
  return dir;
}

export const QMK_FIXTURES_DIR = resolve(repoRoot(), "..", "shared", "fixtures", "qmk");
export const QMK_GOLDEN_DIR = join(QMK_FIXTURES_DIR, "golden");

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

// `<keyboard>__<keymap>`: a keymap.json and the keymap.c QMK's own `qmk json2c` printed for it.
export type GoldenPair = { name: string; json: string; c: string };

export function goldenPairs(): GoldenPair[] {
  return readdirSync(QMK_GOLDEN_DIR)
    .filter((f) => f.endsWith(".keymap.json"))
    .sort()
    .map((file) => {
      const name = file.slice(0, -".keymap.json".length);
      return {
        name,
        json: readFileSync(join(QMK_GOLDEN_DIR, file), "utf8"),
        c: readFileSync(join(QMK_GOLDEN_DIR, `${name}.keymap.c`), "utf8"),
      };
    });
}
