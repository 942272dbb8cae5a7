import type { Catalogue } from "./current-catalogue.ts";
import { DigestMemo } from "./memo.ts";

// QMK Configurator loads a keyboard's default keymap from its own origin, at
// `keymaps/<first letter>/<keyboard with every / as _>_default.json` (its app actions' loadDefaultKeymap).
// The file name loses the slashes, so the way back goes through the catalogue's keyboard names; when two
// names flatten alike (a/b_c and a_b/c) the first in sorted order wins, as the list Configurator shows.

export const configuratorKeymapFile = (keyboard: string): string =>
  `${keyboard.slice(0, 1).toLowerCase()}/${keyboard.replaceAll("/", "_")}_default.json`;

const byFileName = new DigestMemo<ReadonlyMap<string, string>>(2);

// The catalogue keyboard whose Configurator file is `keymaps/<letter>/<file>`, or null.
export async function keyboardOfConfiguratorFile(
  catalogue: Catalogue,
  letter: string,
  file: string,
): Promise<string | null> {
  const names = await byFileName.get(catalogue.manifestSha256, async () => {
    const map = new Map<string, string>();
    for (const name of [...catalogue.keyboards.keys()].sort()) {
      const flat = configuratorKeymapFile(name);
      if (!map.has(flat)) map.set(flat, name);
    }
    return map;
  });
  return names.get(`${letter}/${file}`) ?? null;
}
