import { breakTrigraphs, escapeMacroText } from "./c-string.ts";
import type { Macro, MacroStep } from "./parsed-request.ts";

type Piece = { literal: string } | { code: string };

// QMK's rendering of one step (_generate_macros_function in lib/python/qmk/keymap.py): text and beep become
// string-literal bodies, the key actions SS_* calls on X_<key>. A tap of several keys holds all but the last,
// taps the last and releases the held ones in reverse.
function pieces(step: MacroStep): Piece[] {
  switch (step.kind) {
    case "text":
      return [{ literal: escapeMacroText(step.text) }];
    case "beep":
      return [{ literal: "\\a" }];
    case "delay":
      return [{ code: `SS_DELAY(${step.ms})` }];
    case "tap": {
      if (step.keys.length === 1) return [{ code: `SS_TAP(X_${step.keys[0]})` }];
      const held = step.keys.slice(0, -1);
      return [
        ...held.map((k) => ({ code: `SS_DOWN(X_${k})` })),
        { code: `SS_TAP(X_${step.keys.at(-1)})` },
        ...[...held].reverse().map((k) => ({ code: `SS_UP(X_${k})` })),
      ];
    }
    case "down":
    case "up": {
      const call = step.kind === "down" ? "SS_DOWN" : "SS_UP";
      return step.keys.map((k) => ({ code: `${call}(X_${k})` }));
    }
  }
}

// The argument of SEND_STRING(...). QMK quotes every text step on its own and then deletes each `""` from
// the joined result, which fuses adjacent literals but, after text ending in `"`, eats the escaped quote's
// closing mark instead: `"a\""SS_TAP(X_B)"..."` becomes `"a\SS_TAP(X_B)"...` and the rest of the macro is
// read as C code. Fusing the literal bodies before quoting gives QMK's bytes wherever QMK's are well formed,
// and well-formed C for the rest.
export function sendStringArgument(macro: Macro): string {
  const merged: Piece[] = [];
  for (const piece of macro.flatMap(pieces)) {
    const last = merged.at(-1);
    if ("literal" in piece && last && "literal" in last) last.literal += piece.literal;
    else merged.push({ ...piece });
  }
  return merged
    .map((p) => ("code" in p ? p.code : p.literal === "" ? "" : `"${breakTrigraphs(p.literal)}"`))
    .join("");
}

// process_record_user as QMK's json2c writes it for the keymap's macros, QK_MACRO_<n> for the n-th; the last
// line is empty, as in QMK's list.
export function macrosFunctionLines(macros: readonly Macro[]): string[] {
  return [
    "bool process_record_user(uint16_t keycode, keyrecord_t *record) {",
    "    if (record->event.pressed) {",
    "        switch (keycode) {",
    ...macros.flatMap((macro, i) => [
      `            case QK_MACRO_${i}:`,
      `                SEND_STRING(${sendStringArgument(macro)});`,
      "                return false;",
    ]),
    "        }",
    "    }",
    "",
    "    return true;",
    "};",
    "",
  ];
}
