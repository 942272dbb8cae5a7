import { prng } from "@qmk-edge/keymap/test-support/prng.ts";

// A seeded generator of hostile request bodies and ids: mutations of a valid keymap plus random junk.
// Same seed, same corpus, so a failure found in CI replays exactly.

export interface FuzzCase {
  name: string;
  body: string | Uint8Array;
  contentType: string;
}

const NASTY_STRINGS = [
  "",
  " ",
  "../../etc/passwd",
  "/abs",
  "a/../b",
  'KC_A); system("id"',
  "KC_A/*",
  "#include <stdio.h>",
  "KC_A\nKC_B",
  "KC_A;",
  "{",
  "}",
  '"KC_A"',
  "КС_А",
  "ＫＣ＿Ａ",
  "\u0000",
  "\ud800",
  "LT(1, KC_A))",
  "((((((((((((KC_A))))))))))))",
  "MO(",
  "%2e%2e%2f",
  "a\\b",
  "LAYOUT; int x",
  "x".repeat(5000),
  "__proto__",
  "constructor",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  "${7*7}",
  "$(reboot)",
  "`id`",
];

const NASTY_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  3.5,
  [],
  {},
  [[]],
  [null],
  { a: 1 },
  "KC_A",
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

function randomString(rand: () => number): string {
  const len = Math.floor(rand() * 40);
  let out = "";
  for (let i = 0; i < len; i++) {
    const r = rand();
    out += String.fromCharCode(r < 0.8 ? 32 + Math.floor(rand() * 95) : Math.floor(rand() * 0xffff));
  }
  return out;
}

function randomJson(rand: () => number, depth: number): Json {
  const r = rand();
  if (depth > 4 || r < 0.3) return pick(rand, NASTY_VALUES) as Json;
  if (r < 0.5) return rand() < 0.5 ? pick(rand, NASTY_STRINGS) : randomString(rand);
  if (r < 0.75) return Array.from({ length: Math.floor(rand() * 5) }, () => randomJson(rand, depth + 1));
  const obj: Record<string, Json> = {};
  for (let i = 0; i < Math.floor(rand() * 5); i++) obj[randomString(rand)] = randomJson(rand, depth + 1);
  return obj;
}

function mutate(rand: () => number, valid: Record<string, Json>): Record<string, Json> {
  const body = structuredClone(valid);
  const layers = body.layers as Json[][];
  const fields = [
    "keyboard",
    "keymap",
    "layout",
    "layers",
    "author",
    "notes",
    "version",
    "branch",
    "converter",
  ];
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const r = rand();
    const field = pick(rand, fields);
    if (r < 0.25) body[field] = rand() < 0.6 ? pick(rand, NASTY_STRINGS) : (pick(rand, NASTY_VALUES) as Json);
    else if (r < 0.35) delete body[field];
    else if (r < 0.65 && layers.length > 0) {
      const layer = layers[Math.floor(rand() * layers.length)] as Json[];
      const at = Math.floor(rand() * layer.length);
      layer[at] = rand() < 0.7 ? pick(rand, NASTY_STRINGS) : randomJson(rand, 3);
    } else if (r < 0.75) layers.push(layers[0]?.slice(0, Math.floor(rand() * 20)) ?? []);
    else if (r < 0.8)
      body.layers = Array.from({ length: 33 + Math.floor(rand() * 10) }, () => layers[0] ?? []);
    else if (r < 0.85) body[randomString(rand)] = randomJson(rand, 2);
    else if (r < 0.9) body.layers = layers.map((l) => [...l, ...Array(600).fill("KC_A")]);
    else body[field] = randomJson(rand, 1);
  }
  return body;
}

// `size` bodies: ~70% mutations of `valid`, the rest random JSON, broken JSON, huge or binary bodies.
export function fuzzBodies(seed: number, size: number, valid: Record<string, Json>): FuzzCase[] {
  const rand = prng(seed);
  const cases: FuzzCase[] = [];
  for (let i = 0; i < size; i++) {
    const r = rand();
    const json = "application/json";
    if (r < 0.7)
      cases.push({ name: `mutation ${i}`, body: JSON.stringify(mutate(rand, valid)), contentType: json });
    else if (r < 0.8)
      cases.push({ name: `random json ${i}`, body: JSON.stringify(randomJson(rand, 0)), contentType: json });
    else if (r < 0.88) {
      const text = JSON.stringify(mutate(rand, valid));
      cases.push({
        name: `truncated ${i}`,
        body: text.slice(0, Math.floor(rand() * text.length)),
        contentType: json,
      });
    } else if (r < 0.93) {
      const bytes = new Uint8Array(1 + Math.floor(rand() * 2048)).map(() => Math.floor(rand() * 256));
      cases.push({
        name: `binary ${i}`,
        body: bytes,
        contentType: pick(rand, [json, "application/octet-stream"]),
      });
    } else if (r < 0.96) {
      const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
      cases.push({ name: `deep ${i}`, body: deep, contentType: json });
    } else if (r < 0.98) {
      const big = JSON.stringify({ ...valid, notes: "n".repeat(300 * 1024) });
      cases.push({ name: `oversized ${i}`, body: big, contentType: json });
    } else {
      cases.push({
        name: `wrong type ${i}`,
        body: JSON.stringify(valid),
        contentType: pick(rand, ["text/plain", "multipart/form-data", ""]),
      });
    }
  }
  return cases;
}

// Lone surrogates cannot be percent-encoded; they become U+FFFD, as a browser would send them.
function urlSegment(text: string): string {
  return encodeURIComponent(
    text.replace(/[\ud800-\udfff]/g, (c, i: number) => {
      const code = c.charCodeAt(0);
      const next = text.charCodeAt(i + 1);
      const prev = text.charCodeAt(i - 1);
      const paired = code < 0xdc00 ? next >= 0xdc00 && next <= 0xdfff : prev >= 0xd800 && prev < 0xdc00;
      return paired ? c : "\ufffd";
    }),
  );
}

// Random path segments for the GET routes: valid-looking ids, junk and traversal attempts.
export function fuzzIds(seed: number, size: number): string[] {
  const rand = prng(seed);
  const hex = "0123456789abcdef";
  return Array.from({ length: size }, () => {
    const r = rand();
    if (r < 0.4) return Array.from({ length: 32 }, () => pick(rand, [...hex])).join("");
    if (r < 0.6) return urlSegment(pick(rand, NASTY_STRINGS)) || "x";
    if (r < 0.8) return urlSegment(randomString(rand)) || "y";
    return Array.from({ length: Math.floor(rand() * 200) + 1 }, () =>
      pick(rand, [...hex, "G", "-", "%20"]),
    ).join("");
  });
}
