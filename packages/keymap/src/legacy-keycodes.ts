// Keycode names QMK has renamed, old -> new: the name keymaps use today first, then QMK's long name for the
// same keycode, for trees that lack the short alias. Facts about identifiers, mirrored from QMK's records:
//   quantum/keycode_legacy.h            KC_BSPACE -> KC_BACKSPACE, KC_LCTRL -> KC_LEFT_CTRL, KC_NLCK, ...
//   quantum/quantum_keycodes_legacy.h   (late 2022) MU_MOD -> QK_MUSIC_MODE_NEXT, AU_TOG, HPT_*, MI_*, ...
//   quantum/quantum_keycodes_legacy.h   RESET -> QK_BOOTLOADER, KC_GESC, EEP_RST, KC_LEAD, CAPSWRD, CMB_*,
//                                       JS_BUTTONn, KC_LSPO, ..., and in its 2024 form RGB_* ->
//                                       QK_UNDERGLOW_*, KC_MS_* / KC_BTNn / KC_WH_* / KC_ACLn -> QK_MOUSE_*
//   data/constants/keycodes/*.hjson     the short aliases of those long names (QK_BOOTLOADER: QK_BOOT,
//                                       QK_UNDERGLOW_TOGGLE: UG_TOGG; keycodes_0.0.5_basic.hjson resets the
//                                       mouse keys' aliases to MS_UP, MS_BTN1, MS_WHLU, ...)
// RGB_* follow QMK's own legacy header to the underglow keys (UG_*); on a board lit by RGB Matrix the agent
// moves them to RM_* (qmk-keycode-renames.ts rgbMatrixRenames, from the keyboard's info). The tree's own
// records (data/constants/keycodes) come first; this table covers what they never held.

type Entry = readonly [old: string, ...renamed: string[]];

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const KEYCODE_LEGACY_H: Entry[] = [
  ["KC_BSPACE", "KC_BSPC", "KC_BACKSPACE"],
  ["KC_LBRACKET", "KC_LBRC", "KC_LEFT_BRACKET"],
  ["KC_RBRACKET", "KC_RBRC", "KC_RIGHT_BRACKET"],
  ["KC_BSLASH", "KC_BSLS", "KC_BACKSLASH"],
  ["KC_SCOLON", "KC_SCLN", "KC_SEMICOLON"],
  ["KC_CAPSLOCK", "KC_CAPS", "KC_CAPS_LOCK"],
  ["KC_PSCREEN", "KC_PSCR", "KC_PRINT_SCREEN"],
  ["KC_SCROLLLOCK", "KC_SCRL", "KC_SCROLL_LOCK"],
  ["KC_PGDOWN", "KC_PGDN", "KC_PAGE_DOWN"],
  ["KC_NUMLOCK", "KC_NUM", "KC_NUM_LOCK"],
  ["KC_NONUS_BSLASH", "KC_NUBS", "KC_NONUS_BACKSLASH"],
  ["KC_POWER", "KC_KB_POWER"],
  ["KC__MUTE", "KC_KB_MUTE"],
  ["KC__VOLUP", "KC_KB_VOLUME_UP"],
  ["KC__VOLDOWN", "KC_KB_VOLUME_DOWN"],
  ["KC_LOCKING_CAPS", "KC_LCAP", "KC_LOCKING_CAPS_LOCK"],
  ["KC_LOCKING_NUM", "KC_LNUM", "KC_LOCKING_NUM_LOCK"],
  ["KC_LOCKING_SCROLL", "KC_LSCR", "KC_LOCKING_SCROLL_LOCK"],
  ...range(1, 9).map((n): Entry => [`KC_LANG${n}`, `KC_LNG${n}`, `KC_LANGUAGE_${n}`]),
  ["KC_ALT_ERASE", "KC_ERAS", "KC_ALTERNATE_ERASE"],
  ["KC_SYSREQ", "KC_SYRQ", "KC_SYSTEM_REQUEST"],
  ["KC_LCTRL", "KC_LCTL", "KC_LEFT_CTRL"],
  ["KC_LSHIFT", "KC_LSFT", "KC_LEFT_SHIFT"],
  ["KC_RCTRL", "KC_RCTL", "KC_RIGHT_CTRL"],
  ["KC_RSHIFT", "KC_RSFT", "KC_RIGHT_SHIFT"],
  ["KC_ZKHK", "KC_GRV", "KC_GRAVE"],
  ["KC_RO", "KC_INT1", "KC_INTERNATIONAL_1"],
  ["KC_KANA", "KC_INT2", "KC_INTERNATIONAL_2"],
  ["KC_JYEN", "KC_INT3", "KC_INTERNATIONAL_3"],
  ["KC_HENK", "KC_INT4", "KC_INTERNATIONAL_4"],
  ["KC_MHEN", "KC_INT5", "KC_INTERNATIONAL_5"],
  ["KC_HAEN", "KC_LNG1", "KC_LANGUAGE_1"],
  ["KC_HANJ", "KC_LNG2", "KC_LANGUAGE_2"],
  ["KC_CLCK", "KC_CAPS", "KC_CAPS_LOCK"],
  ["KC_SLCK", "KC_SCRL", "KC_SCROLL_LOCK"],
  ["KC_NLCK", "KC_NUM", "KC_NUM_LOCK"],
];

const QUANTUM_KEYCODES_LEGACY_H: Entry[] = [
  ["RESET", "QK_BOOT", "QK_BOOTLOADER"],
  ["DEBUG", "DB_TOGG", "QK_DEBUG_TOGGLE"],
  ["GRAVE_ESC", "QK_GESC", "QK_GRAVE_ESCAPE"],
  ["KC_GESC", "QK_GESC", "QK_GRAVE_ESCAPE"],
  ["EEPROM_RESET", "EE_CLR", "QK_CLEAR_EEPROM"],
  ["EEP_RST", "EE_CLR", "QK_CLEAR_EEPROM"],
  ["KC_LEAD", "QK_LEAD", "QK_LEADER"],
  ["KC_LOCK", "QK_LOCK"],
  ["VLK_TOG", "VK_TOGG", "QK_VELOCIKEY_TOGGLE"],
  ["CAPSWRD", "CW_TOGG", "QK_CAPS_WORD_TOGGLE"],
  ["CAPS_WORD", "CW_TOGG", "QK_CAPS_WORD_TOGGLE"],
  ["KEY_OVERRIDE_TOGGLE", "KO_TOGG", "QK_KEY_OVERRIDE_TOGGLE"],
  ["KEY_OVERRIDE_ON", "KO_ON", "QK_KEY_OVERRIDE_ON"],
  ["KEY_OVERRIDE_OFF", "KO_OFF", "QK_KEY_OVERRIDE_OFF"],
  ["ONESHOT_ENABLE", "OS_ON", "QK_ONE_SHOT_ON"],
  ["ONESHOT_DISABLE", "OS_OFF", "QK_ONE_SHOT_OFF"],
  ["ONESHOT_TOGGLE", "OS_TOGG", "QK_ONE_SHOT_TOGGLE"],
  ["CMB_ON", "CM_ON", "QK_COMBO_ON"],
  ["CMB_OFF", "CM_OFF", "QK_COMBO_OFF"],
  ["CMB_TOG", "CM_TOGG", "QK_COMBO_TOGGLE"],
  ...range(1, 32).map((n): Entry => [`PROGRAMMABLE_BUTTON_${n}`, `PB_${n}`, `QK_PROGRAMMABLE_BUTTON_${n}`]),
  ...range(0, 31).map((n): Entry => [`JS_BUTTON${n}`, `JS_${n}`, `QK_JOYSTICK_BUTTON_${n}`]),
  ["SECURE_LOCK", "SE_LOCK", "QK_SECURE_LOCK"],
  ["SECURE_UNLOCK", "SE_UNLK", "QK_SECURE_UNLOCK"],
  ["SECURE_TOGGLE", "SE_TOGG", "QK_SECURE_TOGGLE"],
  ["SECURE_REQUEST", "SE_REQ", "QK_SECURE_REQUEST"],
  ["KC_LSPO", "SC_LSPO", "QK_SPACE_CADET_LEFT_SHIFT_PARENTHESIS_OPEN"],
  ["KC_RSPC", "SC_RSPC", "QK_SPACE_CADET_RIGHT_SHIFT_PARENTHESIS_CLOSE"],
  ["KC_LCPO", "SC_LCPO", "QK_SPACE_CADET_LEFT_CTRL_PARENTHESIS_OPEN"],
  ["KC_RCPC", "SC_RCPC", "QK_SPACE_CADET_RIGHT_CTRL_PARENTHESIS_CLOSE"],
  ["KC_LAPO", "SC_LAPO", "QK_SPACE_CADET_LEFT_ALT_PARENTHESIS_OPEN"],
  ["KC_RAPC", "SC_RAPC", "QK_SPACE_CADET_RIGHT_ALT_PARENTHESIS_CLOSE"],
  ["KC_SFTENT", "SC_SENT", "QK_SPACE_CADET_RIGHT_SHIFT_ENTER"],
];

// The 2022 keycode overhaul's legacy defines (quantum_keycodes_legacy.h of late 2022, gone since 2023) to
// QMK's long names; the tree's short alias of each long name is preferred (qmk-keycode-renames.ts).
const MIDI_NOTES = [
  "C",
  "Cs:C_SHARP",
  "Db:C_SHARP",
  "D",
  "Ds:D_SHARP",
  "Eb:D_SHARP",
  "E",
  "F",
  "Fs:F_SHARP",
  "Gb:F_SHARP",
  "G",
  "Gs:G_SHARP",
  "Ab:G_SHARP",
  "A",
  "As:A_SHARP",
  "Bb:A_SHARP",
  "B",
];
const signed = (n: number) => (n < 0 ? `N${-n}` : String(n));
const OVERHAUL_2022: Entry[] = [
  ["AU_TOG", "QK_AUDIO_TOGGLE"],
  ["CLICKY_TOGGLE", "QK_AUDIO_CLICKY_TOGGLE"],
  ["CLICKY_UP", "QK_AUDIO_CLICKY_UP"],
  ["CLICKY_DOWN", "QK_AUDIO_CLICKY_DOWN"],
  ["CLICKY_RESET", "QK_AUDIO_CLICKY_RESET"],
  ["MU_TOG", "QK_MUSIC_TOGGLE"],
  ["MU_MOD", "QK_MUSIC_MODE_NEXT"],
  ["MUV_IN", "QK_AUDIO_VOICE_NEXT"],
  ["MUV_DE", "QK_AUDIO_VOICE_PREVIOUS"],
  ["HPT_ON", "QK_HAPTIC_ON"],
  ["HPT_OFF", "QK_HAPTIC_OFF"],
  ["HPT_TOG", "QK_HAPTIC_TOGGLE"],
  ["HPT_RST", "QK_HAPTIC_RESET"],
  ["HPT_FBK", "QK_HAPTIC_FEEDBACK_TOGGLE"],
  ["HPT_BUZ", "QK_HAPTIC_BUZZ_TOGGLE"],
  ["HPT_MODI", "QK_HAPTIC_MODE_NEXT"],
  ["HPT_MODD", "QK_HAPTIC_MODE_PREVIOUS"],
  ["HPT_CONT", "QK_HAPTIC_CONTINUOUS_TOGGLE"],
  ["HPT_CONI", "QK_HAPTIC_CONTINUOUS_UP"],
  ["HPT_COND", "QK_HAPTIC_CONTINUOUS_DOWN"],
  ["HPT_DWLI", "QK_HAPTIC_DWELL_UP"],
  ["HPT_DWLD", "QK_HAPTIC_DWELL_DOWN"],
  ["KC_ASDN", "QK_AUTO_SHIFT_DOWN"],
  ["KC_ASUP", "QK_AUTO_SHIFT_UP"],
  ["KC_ASRP", "QK_AUTO_SHIFT_REPORT"],
  ["KC_ASON", "QK_AUTO_SHIFT_ON"],
  ["KC_ASOFF", "QK_AUTO_SHIFT_OFF"],
  ["KC_ASTG", "QK_AUTO_SHIFT_TOGGLE"],
  ["BL_INC", "QK_BACKLIGHT_UP"],
  ["BL_DEC", "QK_BACKLIGHT_DOWN"],
  ["DYN_REC_START1", "QK_DYNAMIC_MACRO_RECORD_START_1"],
  ["DYN_REC_START2", "QK_DYNAMIC_MACRO_RECORD_START_2"],
  ["DYN_REC_STOP", "QK_DYNAMIC_MACRO_RECORD_STOP"],
  ["DYN_MACRO_PLAY1", "QK_DYNAMIC_MACRO_PLAY_1"],
  ["DYN_MACRO_PLAY2", "QK_DYNAMIC_MACRO_PLAY_2"],
  ...range(1, 5).flatMap((octave) =>
    MIDI_NOTES.map((note): Entry => {
      const [name, long = name] = note.split(":");
      return [`MI_${name}_${octave}`, `QK_MIDI_NOTE_${long}_${octave}`];
    }),
  ),
  ...range(-2, 7).map((n): Entry => [`MI_OCT_${signed(n)}`, `QK_MIDI_OCTAVE_${signed(n)}`]),
  ...range(-6, 6).map((n): Entry => [`MI_TRNS_${signed(n)}`, `QK_MIDI_TRANSPOSE_${signed(n)}`]),
  ...range(0, 10).map((n): Entry => [`MI_VEL_${n}`, `QK_MIDI_VELOCITY_${n}`]),
  ["MI_ALLOFF", "QK_MIDI_ALL_NOTES_OFF"],
  ["MI_TRNSD", "QK_MIDI_TRANSPOSE_DOWN"],
  ["MI_TRNSU", "QK_MIDI_TRANSPOSE_UP"],
  ["MI_CHD", "QK_MIDI_CHANNEL_DOWN"],
  ["MI_CHU", "QK_MIDI_CHANNEL_UP"],
  ["MI_SUS", "MI_SUST", "QK_MIDI_SUSTAIN"],
  ["MI_MODSD", "QK_MIDI_MODULATION_SPEED_DOWN"],
  ["MI_MODSU", "QK_MIDI_MODULATION_SPEED_UP"],
  ["MI_BENDD", "QK_MIDI_PITCH_BEND_DOWN"],
  ["MI_BENDU", "QK_MIDI_PITCH_BEND_UP"],
  ["FN_MO13", "TL_LOWR", "QK_TRI_LAYER_LOWER"],
  ["FN_MO23", "TL_UPPR", "QK_TRI_LAYER_UPPER"],
];

const UNDERGLOW: [old: string[], short: string, long: string][] = [
  [["RGB_TOG"], "UG_TOGG", "TOGGLE"],
  [["RGB_MOD", "RGB_MODE_FORWARD"], "UG_NEXT", "MODE_NEXT"],
  [["RGB_RMOD", "RGB_MODE_REVERSE"], "UG_PREV", "MODE_PREVIOUS"],
  [["RGB_HUI"], "UG_HUEU", "HUE_UP"],
  [["RGB_HUD"], "UG_HUED", "HUE_DOWN"],
  [["RGB_SAI"], "UG_SATU", "SATURATION_UP"],
  [["RGB_SAD"], "UG_SATD", "SATURATION_DOWN"],
  [["RGB_VAI"], "UG_VALU", "VALUE_UP"],
  [["RGB_VAD"], "UG_VALD", "VALUE_DOWN"],
  [["RGB_SPI"], "UG_SPDU", "SPEED_UP"],
  [["RGB_SPD"], "UG_SPDD", "SPEED_DOWN"],
];

const MOUSE: [old: string[], short: string, long: string][] = [
  [["KC_MS_UP", "KC_MS_U"], "MS_UP", "CURSOR_UP"],
  [["KC_MS_DOWN", "KC_MS_D"], "MS_DOWN", "CURSOR_DOWN"],
  [["KC_MS_LEFT", "KC_MS_L"], "MS_LEFT", "CURSOR_LEFT"],
  [["KC_MS_RIGHT", "KC_MS_R"], "MS_RGHT", "CURSOR_RIGHT"],
  ...range(1, 8).map((n): [string[], string, string] => [
    [`KC_MS_BTN${n}`, `KC_BTN${n}`],
    `MS_BTN${n}`,
    `BUTTON_${n}`,
  ]),
  [["KC_MS_WH_UP", "KC_WH_U"], "MS_WHLU", "WHEEL_UP"],
  [["KC_MS_WH_DOWN", "KC_WH_D"], "MS_WHLD", "WHEEL_DOWN"],
  [["KC_MS_WH_LEFT", "KC_WH_L"], "MS_WHLL", "WHEEL_LEFT"],
  [["KC_MS_WH_RIGHT", "KC_WH_R"], "MS_WHLR", "WHEEL_RIGHT"],
  ...range(0, 2).map((n): [string[], string, string] => [
    [`KC_MS_ACCEL${n}`, `KC_ACL${n}`],
    `MS_ACL${n}`,
    `ACCELERATION_${n}`,
  ]),
];

const grouped = (rows: typeof MOUSE, prefix: string): Entry[] =>
  rows.flatMap(([olds, short, long]) => olds.map((old): Entry => [old, short, `${prefix}${long}`]));

// Old name -> its new names, most preferred first.
export const LEGACY_KEYCODES: ReadonlyMap<string, readonly string[]> = new Map(
  [
    ...KEYCODE_LEGACY_H,
    ...QUANTUM_KEYCODES_LEGACY_H,
    ...OVERHAUL_2022,
    ...grouped(UNDERGLOW, "QK_UNDERGLOW_"),
    ...grouped(MOUSE, "QK_MOUSE_"),
  ].map(([old, ...renamed]) => [old, renamed]),
);
