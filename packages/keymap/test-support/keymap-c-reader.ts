// A deliberately separate reader of generated keymap.c, so tests check the output without trusting the
// generator's own parser: finds each `[n] = LAYOUT_x(` and splits its top-level arguments.
export type KeymapCLayer = { index: number; layout: string; keys: string[] };

export function readKeymapC(source: string): KeymapCLayer[] {
  const layers: KeymapCLayer[] = [];
  const start = /\[(\d+)\]\s*=\s*(LAYOUT\w*)\(/g;
  for (let m = start.exec(source); m; m = start.exec(source)) {
    const keys: string[] = [];
    let depth = 0;
    let current = "";
    let i = m.index + m[0].length;
    for (; i < source.length; i++) {
      const ch = source[i]!;
      if (ch === "(") depth++;
      if (ch === ")") {
        if (depth === 0) break;
        depth--;
      }
      if (ch === "," && depth === 0) {
        keys.push(current.replace(/\s+/g, ""));
        current = "";
      } else {
        current += ch;
      }
    }
    if (i >= source.length) throw new Error(`layer ${m[1]} is not closed`);
    keys.push(current.replace(/\s+/g, ""));
    layers.push({ index: Number(m[1]), layout: m[2]!, keys });
    start.lastIndex = i;
  }
  return layers;
}
