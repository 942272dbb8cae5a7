import type { CompileRequest } from "./compile-request.ts";
import type { Toolchain } from "./names.ts";

// File names exactly as qmk_compiler names them, so clients that rely on them keep working.
type Names = Pick<CompileRequest, "keyboard" | "keymap">;

export const keymapArchiveName = (r: Names) => `${r.keyboard.replaceAll("/", "-")}-${r.keymap}.json`;

export const sourceArchiveName = (r: Names) =>
  `qmk_firmware-${r.keyboard.replaceAll("/", "-")}-${r.keymap}.zip`;

export const firmwareExtension = (t: Toolchain) => (t === "avr" ? "hex" : "bin");

// QMK's TARGET: <keyboard with / -> _>_<keymap>; the firmware and the build log are named after it.
const buildTarget = (r: Names) => `${r.keyboard.replaceAll("/", "_")}_${r.keymap}`;

export const firmwareFileName = (r: Names, t: Toolchain) => `${buildTarget(r)}.${firmwareExtension(t)}`;

export const logFileName = (r: Names) => `${buildTarget(r)}.log`;
