import {
  CONFIG_DEFINES,
  CONFIG_LIGHTING,
  CONFIG_NAME,
  CONFIG_RULES,
  MAX_CONFIG_INT,
  MAX_CONFIG_NAMES,
} from "./config-mappings.ts";
import type { FieldError } from "./v1.ts";

// The validation of keymap.json `config` against the honoured entries of config-mappings.ts: every leaf a
// known key of the right type and bounds, everything else refused by its path.

type Leaf = { kind: "int"; min: number; max: number } | { kind: "bool" } | { kind: "name" };

const LEAVES = new Map<string, Leaf>([
  ...CONFIG_DEFINES.map((d): [string, Leaf] => [
    d.key,
    d.type === "int" ? { kind: "int", min: d.min ?? 0, max: d.max ?? MAX_CONFIG_INT } : { kind: "bool" },
  ]),
  ...CONFIG_RULES.map((r): [string, Leaf] => [r.key, { kind: "bool" }]),
  ...CONFIG_LIGHTING.map((l): [string, Leaf] => [`${l.key}.default.animation`, { kind: "name" }]),
]);

// Objects whose keys are the user's names (snake_case), each true or false.
const NAME_MAPS = new Set(["features", ...CONFIG_LIGHTING.map((l) => `${l.key}.animations`)]);

const BRANCHES = new Set(
  [...LEAVES.keys(), ...NAME_MAPS].flatMap((key) => {
    const parts = key.split(".");
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("."));
  }),
);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

// A key is client text: shown in a path, bounded, never in a message.
const segment = (key: string) => (key.length > 64 ? `${key.slice(0, 64)}...` : key);

const REFUSED =
  "not a keymap setting qmk-edge builds: only behaviour settings (tapping, mousekey, combo, caps_word, " +
  "oneshot, leader_key, lighting steps and defaults, features, ...) are; hardware belongs to the keyboard";

function checkLeaf(leaf: Leaf, value: unknown): string | null {
  switch (leaf.kind) {
    case "bool":
      return typeof value === "boolean" ? null : "expected true or false";
    case "name":
      return typeof value === "string" && CONFIG_NAME.test(value)
        ? null
        : "expected a snake_case name ([a-z][a-z0-9_]*, at most 64 characters)";
    case "int":
      return typeof value === "number" && Number.isInteger(value) && value >= leaf.min && value <= leaf.max
        ? null
        : `expected a whole number from ${leaf.min} to ${leaf.max}`;
  }
}

function checkNames(value: unknown, path: string, errors: FieldError[]): void {
  if (!isObject(value)) {
    errors.push({ path, message: "expected an object of names, each true or false" });
    return;
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_CONFIG_NAMES) errors.push({ path, message: `at most ${MAX_CONFIG_NAMES} names` });
  for (const [name, on] of entries.slice(0, MAX_CONFIG_NAMES)) {
    const at = `${path}.${segment(name)}`;
    if (!CONFIG_NAME.test(name)) errors.push({ path: at, message: "a name is snake_case: [a-z][a-z0-9_]*" });
    else if (path === "config.features" && name === "lto")
      errors.push({ path: at, message: "QMK takes LTO from config.build.lto, not from features" });
    else if (typeof on !== "boolean") errors.push({ path: at, message: "expected true or false" });
  }
}

function walk(value: Record<string, unknown>, key: string, errors: FieldError[]): void {
  for (const [name, child] of Object.entries(value)) {
    const k = key ? `${key}.${name}` : name;
    const path = `config.${key ? `${key}.` : ""}${segment(name)}`;
    const leaf = LEAVES.get(k);
    if (leaf) {
      const problem = checkLeaf(leaf, child);
      if (problem) errors.push({ path, message: problem });
    } else if (NAME_MAPS.has(k)) {
      checkNames(child, path, errors);
    } else if (BRANCHES.has(k)) {
      if (isObject(child)) walk(child, k, errors);
      else errors.push({ path, message: "expected an object" });
    } else {
      errors.push({ path, message: REFUSED });
    }
  }
}

// The field errors of a keymap's `config` (paths under "config"); none means every value in it is one the
// generators write, of the type they write it as.
export function keymapConfigErrors(config: unknown): FieldError[] {
  if (!isObject(config)) return [{ path: "config", message: "expected an object" }];
  const errors: FieldError[] = [];
  walk(config, "", errors);
  return errors;
}
