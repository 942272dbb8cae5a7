import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

// The expected 16-bit value of each keycode expression, computed by the host's gcc from the firmware
// tree's own keycode headers: a tiny program that prints every expression. Nothing here knows a keycode
// value itself, and nothing reads the keymaps array, so the fidelity check is independent of both.

export interface KeycodeValues {
  values: Map<string, number>;
  matrixRows: number;
  matrixCols: number;
}

export async function evaluateKeycodes(
  treeRoot: string,
  keyboard: string,
  exprs: string[],
): Promise<KeycodeValues> {
  const unique = [...new Set(exprs)];
  const dir = await mkdtemp(join(tmpdir(), "qe-keycodes-"));
  try {
    const src = [
      "#include <stdio.h>",
      "#include <stdint.h>",
      `#include "${join(treeRoot, "keyboards", keyboard, "config.h")}"`,
      '#include "keycodes.h"',
      '#include "quantum_keycodes.h"',
      "int main(void) {",
      '    printf("%d %d\\n", (int)(MATRIX_ROWS), (int)(MATRIX_COLS));',
      ...unique.map((e) => `    printf("%u\\n", (unsigned)(uint16_t)(${e}));`),
      "    return 0;",
      "}",
      "",
    ].join("\n");
    const c = join(dir, "keycodes.c");
    const exe = join(dir, "keycodes");
    await writeFile(c, src);
    // QMK compiles with quantum/ and quantum/keymap_extras/ (keymap_us.h) on the include path.
    const includes = ["quantum", "quantum/keymap_extras"].flatMap((d) => ["-I", join(treeRoot, d)]);
    await execa("gcc", ["-std=gnu11", "-Werror", ...includes, "-o", exe, c]);
    const lines = (await execa(exe)).stdout.trim().split("\n");
    const [rows, cols] = lines[0]!.split(" ").map(Number);
    const values = new Map(unique.map((e, i) => [e, Number(lines[i + 1])]));
    return { values, matrixRows: rows!, matrixCols: cols! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
