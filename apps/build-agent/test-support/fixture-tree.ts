import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

// A minimal QMK-shaped tree whose builddefs/build_keyboard.mk (what the agent runs, as `qmk compile`
// does) runs `recipe`: a shell line, $$ for a literal $; $(KEYMAP), $(MAIN_KEYMAP_PATH_1), $(BUILD_DIR)
// are make's variables. For behaviour the demo tree must never have: hanging, flooding the log,
// printing its environment.
export const FIXTURE_KEYBOARD = "fixture/board";

export async function makeFixtureTree(root: string, recipe: string): Promise<string> {
  await mkdir(join(root, "keyboards", FIXTURE_KEYBOARD), { recursive: true });
  await writeFile(join(root, "VERSION"), "fixture-1\n");
  await mkdir(join(root, "builddefs"), { recursive: true });
  await writeFile(join(root, "Makefile"), "%::\n\t@echo use builddefs/build_keyboard.mk; exit 2\n");
  await writeFile(join(root, "builddefs", "build_keyboard.mk"), `build:\n\t${recipe}\n`);
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
