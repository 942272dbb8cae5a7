import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

// A minimal QMK-shaped tree whose `make <kb>:<km>` runs `recipe` (a shell line; $$ for a literal $).
// For behaviour the demo tree must never have: hanging, flooding the log, printing its environment.
export const FIXTURE_KEYBOARD = "fixture/board";

export async function makeFixtureTree(root: string, recipe: string): Promise<string> {
  await mkdir(join(root, "keyboards", FIXTURE_KEYBOARD), { recursive: true });
  await writeFile(join(root, "VERSION"), "fixture-1\n");
  await writeFile(join(root, "Makefile"), `%::\n\t${recipe}\n`);
  await writeFile(
    join(root, "keyboards", FIXTURE_KEYBOARD, "keyboard.json"),
    JSON.stringify({
      keyboard_name: "board",
      processor: "atmega32u4",
      layouts: {
        LAYOUT: {
          layout: [
            { matrix: [0, 0], x: 0, y: 0 },
            { matrix: [0, 1], x: 1, y: 0 },
          ],
        },
      },
    }),
  );
  return root;
}

export const fixtureRequest = {
  keyboard: FIXTURE_KEYBOARD,
  keymap: "mine",
  layout: "LAYOUT",
  layers: [["KC_A", "KC_B"]],
};

// A fixture recipe that hangs for keymaps containing KC_Z and otherwise "builds" a tiny hex at the root,
// writing make's pid group leader's child pid to <tree>/<keymap>.pid so tests can see it die.
export const HANG_ON_KC_Z =
  "@km=$(word 2,$(subst :, ,$@)); echo building $$km; " +
  "if grep -q KC_Z keyboards/fixture/board/keymaps/$$km/keymap.c; then sleep 600 & echo $$! > $$km.pid; wait; " +
  "else printf ':00000001FF\\n' > fixture_board_$$km.hex; fi";
