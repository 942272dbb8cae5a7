import { parseHjson } from "./hjson.ts";

// The identifiers a firmware tree defines, read from the text of its headers and keycode hjson files (the
// caller reads the files; this package does no I/O). Over-approximates on purpose: #if blocks are not
// evaluated and #undef is ignored, so a name defined anywhere counts. The compiler stays the final judge;
// this set only has to catch names no header defines at all, and tell renamed ones apart.

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Comments become a space and string/char literals `""`, keeping line breaks, so nothing inside them
// can look like a #define or an enum. Backslash-newline splices are joined first, as the preprocessor does.
function stripCommentsAndStrings(source: string): string {
  const text = source.replace(/\\\r?\n/g, "");
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === "/" && next === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += " ";
    } else if (ch === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += ` ${text.slice(i, stop).replace(/[^\n]/g, "")}`;
      i = stop;
    } else if (ch === '"' || ch === "'") {
      i++;
      while (i < text.length && text[i] !== ch && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
      i++;
      out += '""';
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function headerNames(source: string, names: Set<string>): void {
  const text = stripCommentsAndStrings(source);
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)/gm)) names.add(m[1]!);
  for (const m of text.matchAll(/\benum\b[^{};]*\{([^{}]*)\}/g)) {
    const body = m[1]!
      .split("\n")
      .filter((line) => !/^\s*#/.test(line))
      .join("\n");
    let depth = 0;
    let member = "";
    for (const ch of `${body},`) {
      if (ch === "(") depth++;
      if (ch === ")") depth--;
      if (ch === "," && depth === 0) {
        const name = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(member)?.[1];
        if (name) names.add(name);
        member = "";
      } else member += ch;
    }
  }
}

function readHjson(source: string, index: number): unknown {
  try {
    return parseHjson(source);
  } catch (err) {
    throw new Error(`hjson[${index}] is not QMK keycode hjson: ${err instanceof Error ? err.message : err}`);
  }
}

type Spec = Record<string, unknown>;
const isSpec = (v: unknown): v is Spec => typeof v === "object" && v !== null && !Array.isArray(v);

// QMK's merge of versioned keycode files (qmk.util / merge_ordered_dicts): later values win, "!delete!"
// removes an entry, arrays append unless their first element is "!reset!", objects merge recursively.
export function mergeKeycodeSpecs(into: Spec, from: Spec): void {
  for (const [key, value] of Object.entries(from)) {
    const current = into[key];
    if (value === "!delete!") delete into[key];
    else if (Array.isArray(value)) {
      const reset = value[0] === "!reset!";
      const base = !reset && Array.isArray(current) ? current : [];
      into[key] = [...base, ...(reset ? value.slice(1) : value)];
    } else if (isSpec(value)) {
      if (!isSpec(current)) into[key] = {};
      mergeKeycodeSpecs(into[key] as Spec, value);
    } else into[key] = value;
  }
}

function hjsonNames(specs: unknown[], names: Set<string>): void {
  const merged: Spec = {};
  for (const spec of specs)
    if (isSpec(spec) && isSpec(spec.keycodes)) mergeKeycodeSpecs(merged, { keycodes: spec.keycodes });
  const entries = Object.values(isSpec(merged.keycodes) ? merged.keycodes : {});
  // keyboard.json and community modules declare theirs as a list rather than by value.
  for (const spec of specs) if (isSpec(spec) && Array.isArray(spec.keycodes)) entries.push(...spec.keycodes);
  for (const entry of entries) {
    if (!isSpec(entry)) continue;
    const aliases = Array.isArray(entry.aliases) ? entry.aliases : [];
    for (const name of [entry.key, ...aliases])
      if (typeof name === "string" && IDENT.test(name)) names.add(name);
  }
}

export type QmkKeycodeSources = {
  // Text of C headers: quantum/**/*.h (keycodes.h, quantum_keycodes.h, send_string/*.h, the legacy headers)
  // and the keyboard's own headers.
  headers?: readonly string[];
  // Text of keycode hjson/json files, in the order QMK merges them (data/constants/keycodes/ by version),
  // and keyboard.json / info.json, whose `keycodes` lists the keyboard's own.
  hjson?: readonly string[];
};

// Every identifier the sources define. Throws for an hjson text that cannot be read, naming its index.
export function keycodeNamesFromQmkSources(sources: QmkKeycodeSources): Set<string> {
  const names = new Set<string>();
  for (const header of sources.headers ?? []) headerNames(header, names);
  hjsonNames((sources.hjson ?? []).map(readHjson), names);
  return names;
}
