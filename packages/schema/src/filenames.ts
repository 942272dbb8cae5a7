import type { CompileRequest } from "./compile-request.ts";
import type { Toolchain } from "./names.ts";

// File names exactly as qmk_compiler names them, so clients that rely on them keep working.
type Names = Pick<CompileRequest, "keyboard" | "keymap">;

export const keymapArchiveName = (r: Names) => `${r.keyboard.replaceAll("/", "-")}-${r.keymap}.json`;

export const sourceArchiveName = (r: Names) =>
  `qmk_firmware-${r.keyboard.replaceAll("/", "-")}-${r.keymap}.zip`;

export const firmwareExtension = (t: Toolchain) => (t === "avr" ? "hex" : "bin");

export const firmwareFileName = (r: Names, t: Toolchain) =>
  `${r.keyboard.replaceAll("/", "_")}_${r.keymap}.${firmwareExtension(t)}`;
