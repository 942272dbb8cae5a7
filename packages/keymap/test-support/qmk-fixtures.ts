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
export const QMK_GOLDEN_FIELDS_DIR = join(QMK_FIXTURES_DIR, "golden-fields");

// `text` is the file; `request` the same keymap as qmk-edge takes it: without the fields QMK ignores and
// qmk-edge refuses by name (sweet16v2's misspelt `coonfig`), which `refused` lists.
export type KeymapFixture = {
  name: string;
  path: string;
  text: string;
  json: Record<string, unknown>;
  request: string;
  refused: string[];
};

const IGNORED_BY_QMK = ["coonfig"];

export function keymapFixtures(): KeymapFixture[] {
  return readdirSync(QMK_FIXTURES_DIR)
    .filter((f) => f.endsWith(".keymap.json"))
    .sort()
    .map((name) => {
      const path = join(QMK_FIXTURES_DIR, name);
      const text = readFileSync(path, "utf8");
      const json = JSON.parse(text) as Record<string, unknown>;
      const refused = IGNORED_BY_QMK.filter((field) => field in json);
      const kept = Object.fromEntries(Object.entries(json).filter(([k]) => !refused.includes(k)));
      return { name, path, text, json, request: JSON.stringify(kept), refused };
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

// `<keyboard>__<keymap>/`: a keymap.json with `config`, `encoders` or `keycodes` and the four files QMK's own
// generators make of it (golden-fields/README.md), read as bytes.
export type GoldenFields = {
  name: string;
  json: string;
  keymapC: string;
  configH: string;
  rulesMk: string;
  keymapH: string;
};

export function goldenFields(): GoldenFields[] {
  return readdirSync(QMK_GOLDEN_FIELDS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const read = (file: string) => readFileSync(join(QMK_GOLDEN_FIELDS_DIR, name, file), "utf8");
      return {
        name,
        json: read("keymap.json"),
        keymapC: read("keymap.c"),
        configH: read("config.h"),
        rulesMk: read("rules.mk"),
        keymapH: read("keymap.h"),
      };
    });
}
