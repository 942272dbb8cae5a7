import { readFile } from "node:fs/promises";
import type { CompileRequest, Toolchain } from "@qmk-edge/schema";
import { readKeyboardJson } from "./demo-tree.ts";
import { readSymbol, uint16s } from "./elf.ts";
import { evaluateKeycodes } from "./keycode-values.ts";

// Does a firmware hold exactly the keymap a request asked for? What the request means, computed from the
// tree's own headers, against what the ELF's `keymaps` symbol and the shipped hex/bin actually hold.

// keymaps[][MATRIX_ROWS][MATRIX_COLS] as the request means it: each layer's keys placed at their
// keyboard.json matrix positions, KC_NO elsewhere, values from the tree's headers (keycode-values.ts).
export async function expectedKeymapWords(tree: string, request: CompileRequest): Promise<number[]> {
  const kb = await readKeyboardJson(request.keyboard, tree);
  const name = kb.layouts[request.layout] ? request.layout : kb.layout_aliases?.[request.layout];
  const layout = name ? kb.layouts[name]?.layout : undefined;
  if (!layout) throw new Error(`no layout ${request.layout} in ${request.keyboard}`);
  const { values, matrixRows, matrixCols } = await evaluateKeycodes(tree, request.keyboard, [
    ...request.layers.flat(),
    "KC_NO",
  ]);
  return request.layers.flatMap((layer) => {
    const words = new Array<number>(matrixRows * matrixCols).fill(values.get("KC_NO")!);
    layer.forEach((kc, i) => {
      const [r, c] = layout[i]!.matrix;
      words[r * matrixCols + c] = values.get(kc)!;
    });
    return words;
  });
}

// The ELF's `keymaps` symbol: its bytes, as uint16 words, and its address from nm.
export async function elfKeymapWords(
  elf: string,
  toolchain: Toolchain,
): Promise<{ words: number[]; bytes: Buffer; address: number }> {
  const { bytes, address } = await readSymbol(elf, toolchain, "keymaps");
  return { words: uint16s(bytes), bytes, address };
}

// The flash image of an Intel HEX file (data records only), or a .bin as is.
export async function firmwareImage(path: string): Promise<Buffer> {
  const raw = await readFile(path);
  if (!path.endsWith(".hex")) return raw;
  const chunks: Array<{ at: number; data: Buffer }> = [];
  let base = 0;
  for (const line of raw.toString("ascii").split(/\r?\n/)) {
    if (!line.startsWith(":")) continue;
    const rec = Buffer.from(line.slice(1), "hex");
    const len = rec[0]!;
    const addr = rec.readUInt16BE(1);
    const type = rec[3]!;
    if (type === 0) chunks.push({ at: base + addr, data: rec.subarray(4, 4 + len) });
    else if (type === 2) base = rec.readUInt16BE(4) * 16;
    else if (type === 4) base = rec.readUInt16BE(4) * 65536;
  }
  const end = Math.max(0, ...chunks.map((c) => c.at + c.data.length));
  const image = Buffer.alloc(end, 0xff);
  for (const c of chunks) c.data.copy(image, c.at);
  return image;
}
