// The import-floor check `npm test` runs first (cheap: reads files, no network). For each apps/*/src it
// reads every relative import (type-only, re-exports and dynamic import() included; *.test.ts files are
// not floors and are skipped) and fails on
//   - an import cycle between files,
//   - a cycle between folders (two folders importing each other, or a longer ring): a floor imports only
//     floors below it.
// A folder is a floor; a file at the root of src/ is a floor of its own (main.ts on top, the few shared
// modules such as log.ts at the bottom). Before checking the apps it checks itself on a graph with a
// planted cycle and a planted folder pair, so it cannot pass by finding nothing.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

type Graph = Map<string, Set<string>>; // file (relative to src/) -> files it imports

export function readImports(srcDir: string): Graph {
  const graph: Graph = new Map();
  for (const file of walk(srcDir)) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = new Set<string>();
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const target = resolveImport(dirname(file), ref.fileName);
      if (target?.startsWith(`${srcDir}/`)) targets.add(relative(srcDir, target));
    }
    graph.set(relative(srcDir, file), targets);
  }
  return graph;
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.(c|m)?tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith(".d.ts")) yield path;
  }
}

function resolveImport(fromDir: string, spec: string): string | null {
  const base = resolve(fromDir, spec);
  const candidates = [base, base.replace(/\.(c|m)?js$/, ".$1ts"), `${base}.ts`, join(base, "index.ts")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

// The floor a file belongs to: its folder, or the file itself at the root of src/.
export const floorOf = (file: string) => (file.includes("/") ? dirname(file) : file);

export function floorGraph(files: Graph): Graph {
  const floors: Graph = new Map();
  for (const [file, targets] of files) {
    const from = floorOf(file);
    const set = floors.get(from) ?? new Set<string>();
    floors.set(from, set);
    for (const t of targets) if (floorOf(t) !== from) set.add(floorOf(t));
  }
  return floors;
}

// Every strongly connected part of more than one node (or a node importing itself), each as one cycle
// through it, so the message shows a path to cut.
export function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const part: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      part.push(w);
    } while (w !== v);
    if (part.length > 1 || graph.get(v)?.has(v)) found.push(ringThrough(graph, new Set(part), v));
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

// A shortest path from start back to itself inside one strongly connected part.
function ringThrough(graph: Graph, part: Set<string>, start: string): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!part.has(w)) continue;
      if (w === start) {
        const path = [v];
        for (let at = v; at !== start; ) {
          at = prev.get(at) as string;
          path.unshift(at);
        }
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

export function mutualPairs(floors: Graph): string[] {
  const pairs: string[] = [];
  for (const [a, targets] of floors)
    for (const b of targets) if (a < b && floors.get(b)?.has(a)) pairs.push(`${a} <-> ${b}`);
  return pairs.sort();
}

export function problems(files: Graph): string[] {
  const floors = floorGraph(files);
  return [
    ...cycles(files).map((c) => `import cycle: ${c.join(" -> ")}`),
    ...mutualPairs(floors).map((p) => `folders import each other: ${p}`),
    ...cycles(floors)
      .filter((c) => c.length > 3)
      .map((c) => `folder cycle: ${c.join(" -> ")}`),
  ];
}

function selfCheck(): void {
  const planted: Graph = new Map([
    ["main.ts", new Set(["a/x.ts"])],
    ["a/x.ts", new Set(["b/y.ts"])],
    ["b/y.ts", new Set(["a/z.ts"])],
    ["a/z.ts", new Set(["a/x.ts"])],
    ["c/p.ts", new Set(["d/q.ts"])],
    ["d/q.ts", new Set(["e/r.ts"])],
    ["e/r.ts", new Set(["c/s.ts"])],
    ["c/s.ts", new Set()],
  ]);
  const found = problems(planted);
  const expected = [
    "import cycle: a/x.ts -> b/y.ts -> a/z.ts -> a/x.ts",
    "folders import each other: a <-> b",
    "folder cycle: c -> d -> e -> c",
  ];
  if (JSON.stringify(found) !== JSON.stringify(expected))
    throw new Error(
      `check-floors finds the wrong problems in its own planted graph: ${JSON.stringify(found)}`,
    );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  selfCheck();
  const root = resolve(import.meta.dirname, "..");
  let failed = false;
  for (const app of readdirSync(join(root, "apps")).sort()) {
    const src = join(root, "apps", app, "src");
    if (!existsSync(src)) continue;
    const files = readImports(src);
    for (const p of problems(files)) {
      failed = true;
      process.stderr.write(`apps/${app}/src: ${p}\n`);
    }
    if (files.size === 0) {
      failed = true;
      process.stderr.write(`apps/${app}/src: no source files found\n`);
    }
  }
  if (failed) process.exit(1);
  process.stderr.write("[qmk-edge] floors: no import cycle, no folders importing each other in apps/*/src\n");
}
