// keymap.json `config`: the keyboard settings a keymap overrides. QMK's schema says `config` is a whole
// keyboard.json (data/schemas/keyboard.jsonschema), and its generators turn only parts of it into files:
// `qmk generate-config-h` a #define per entry of data/mappings/info_config.hjson (plus pins, encoders and
// lighting animations), `qmk generate-rules-mk` a make variable per entry of info_rules.hjson and one
// `<FEATURE>_ENABLE` per `features` key. Everything else in `config` is read by nothing.
//
// qmk-edge honours the settings a keymap owner changes (tapping, mouse keys, lighting steps and defaults,
// features ...), each written exactly as QMK writes it, and refuses everything else by its path: hardware
// (pins, drivers, processor, bootloader, USB ids, matrix and layouts) belongs to the keyboard, raw values
// would reach C or make unchecked, and keys QMK ignores would be kept and ignored. The tables below are
// the honoured entries of QMK's mappings (2026 tree), in QMK's order, which is the order of the output.
// Bounds are QMK's schema's where it has them; where it is loose (unsigned_int, mousekey's untyped keys,
// `default.animation`'s free string) a strict grammar: whole numbers 0..MAX_CONFIG_INT, snake_case names.

export type ConfigDefineType = "int" | "flag" | "bool";

export interface ConfigDefine {
  readonly key: string; // dotted path under `config`
  readonly define: string;
  readonly type: ConfigDefineType; // int: `#define X 5`; flag: `#define X` / `#undef X`; bool: `#define X true`
  readonly min?: number;
  readonly max?: number;
}

export interface ConfigRule {
  readonly key: string;
  readonly rule: string; // `RULE = yes|no`
}

// Fits every C integer type QMK uses for these values, and prints as plain digits.
export const MAX_CONFIG_INT = 0xffff_ffff;
// Names under `features` and `animations`, and `default.animation`: QMK's snake_case, bounded.
export const CONFIG_NAME = /^[a-z][a-z0-9_]{0,63}$/;
export const MAX_CONFIG_NAMES = 64;

export const CONFIG_DEFINES: readonly ConfigDefine[] = [
  { key: "audio.default.on", define: "AUDIO_DEFAULT_ON", type: "bool" },
  { key: "audio.default.clicky", define: "AUDIO_DEFAULT_CLICKY_ON", type: "bool" },
  { key: "audio.voices", define: "AUDIO_VOICES", type: "flag" },
  { key: "audio.macro_beep", define: "SENDSTRING_BELL", type: "flag" },
  { key: "backlight.breathing", define: "BACKLIGHT_BREATHING", type: "flag" },
  { key: "backlight.as_caps_lock", define: "BACKLIGHT_CAPS_LOCK", type: "flag" },
  { key: "backlight.levels", define: "BACKLIGHT_LEVELS", type: "int", min: 1, max: 31 },
  { key: "backlight.max_brightness", define: "BACKLIGHT_LIMIT_VAL", type: "int", max: 255 },
  { key: "backlight.breathing_period", define: "BREATHING_PERIOD", type: "int", max: 255 },
  { key: "backlight.default.on", define: "BACKLIGHT_DEFAULT_ON", type: "bool" },
  { key: "backlight.default.breathing", define: "BACKLIGHT_DEFAULT_BREATHING", type: "bool" },
  { key: "backlight.default.brightness", define: "BACKLIGHT_DEFAULT_LEVEL", type: "int", max: 255 },
  { key: "caps_word.both_shifts_turns_on", define: "BOTH_SHIFTS_TURNS_ON_CAPS_WORD", type: "flag" },
  { key: "caps_word.idle_timeout", define: "CAPS_WORD_IDLE_TIMEOUT", type: "int" },
  { key: "caps_word.invert_on_shift", define: "CAPS_WORD_INVERT_ON_SHIFT", type: "flag" },
  { key: "caps_word.double_tap_shift_turns_on", define: "DOUBLE_TAP_SHIFT_TURNS_ON_CAPS_WORD", type: "flag" },
  { key: "combo.term", define: "COMBO_TERM", type: "int" },
  { key: "dynamic_keymap.layer_count", define: "DYNAMIC_KEYMAP_LAYER_COUNT", type: "int", min: 1, max: 32 },
  { key: "host.default.nkro", define: "NKRO_DEFAULT_ON", type: "bool" },
  { key: "layer_lock.timeout", define: "LAYER_LOCK_IDLE_TIMEOUT", type: "int" },
  { key: "leader_key.timing", define: "LEADER_PER_KEY_TIMING", type: "flag" },
  { key: "leader_key.strict_processing", define: "LEADER_KEY_STRICT_KEY_PROCESSING", type: "flag" },
  { key: "leader_key.timeout", define: "LEADER_TIMEOUT", type: "int" },
  { key: "led_matrix.react_on_keyup", define: "LED_MATRIX_KEYRELEASES", type: "flag" },
  { key: "led_matrix.led_flush_limit", define: "LED_MATRIX_LED_FLUSH_LIMIT", type: "int" },
  { key: "led_matrix.led_process_limit", define: "LED_MATRIX_LED_PROCESS_LIMIT", type: "int" },
  { key: "led_matrix.max_brightness", define: "LED_MATRIX_MAXIMUM_BRIGHTNESS", type: "int", max: 255 },
  { key: "led_matrix.sleep", define: "LED_MATRIX_SLEEP", type: "flag" },
  { key: "led_matrix.speed_steps", define: "LED_MATRIX_SPD_STEP", type: "int" },
  { key: "led_matrix.timeout", define: "LED_MATRIX_TIMEOUT", type: "int" },
  { key: "led_matrix.val_steps", define: "LED_MATRIX_VAL_STEP", type: "int" },
  { key: "led_matrix.default.on", define: "LED_MATRIX_DEFAULT_ON", type: "bool" },
  { key: "led_matrix.default.val", define: "LED_MATRIX_DEFAULT_VAL", type: "int", max: 255 },
  { key: "led_matrix.default.speed", define: "LED_MATRIX_DEFAULT_SPD", type: "int", max: 255 },
  { key: "led_matrix.default.flags", define: "LED_MATRIX_DEFAULT_FLAGS", type: "int", max: 255 },
  { key: "qmk.locking.enabled", define: "LOCKING_SUPPORT_ENABLE", type: "flag" },
  { key: "qmk.locking.resync", define: "LOCKING_RESYNC_ENABLE", type: "flag" },
  { key: "debounce", define: "DEBOUNCE", type: "int" },
  { key: "mousekey.delay", define: "MOUSEKEY_DELAY", type: "int" },
  { key: "mousekey.interval", define: "MOUSEKEY_INTERVAL", type: "int" },
  { key: "mousekey.max_speed", define: "MOUSEKEY_MAX_SPEED", type: "int" },
  { key: "mousekey.time_to_max", define: "MOUSEKEY_TIME_TO_MAX", type: "int" },
  { key: "mousekey.wheel_delay", define: "MOUSEKEY_WHEEL_DELAY", type: "int" },
  { key: "oneshot.timeout", define: "ONESHOT_TIMEOUT", type: "int" },
  { key: "oneshot.tap_toggle", define: "ONESHOT_TAP_TOGGLE", type: "int" },
  { key: "rgb_matrix.hue_steps", define: "RGB_MATRIX_HUE_STEP", type: "int" },
  { key: "rgb_matrix.react_on_keyup", define: "RGB_MATRIX_KEYRELEASES", type: "flag" },
  { key: "rgb_matrix.led_flush_limit", define: "RGB_MATRIX_LED_FLUSH_LIMIT", type: "int" },
  { key: "rgb_matrix.led_process_limit", define: "RGB_MATRIX_LED_PROCESS_LIMIT", type: "int" },
  { key: "rgb_matrix.max_brightness", define: "RGB_MATRIX_MAXIMUM_BRIGHTNESS", type: "int", max: 255 },
  { key: "rgb_matrix.sat_steps", define: "RGB_MATRIX_SAT_STEP", type: "int" },
  { key: "rgb_matrix.sleep", define: "RGB_MATRIX_SLEEP", type: "flag" },
  { key: "rgb_matrix.speed_steps", define: "RGB_MATRIX_SPD_STEP", type: "int" },
  { key: "rgb_matrix.timeout", define: "RGB_MATRIX_TIMEOUT", type: "int" },
  { key: "rgb_matrix.val_steps", define: "RGB_MATRIX_VAL_STEP", type: "int" },
  { key: "rgb_matrix.default.on", define: "RGB_MATRIX_DEFAULT_ON", type: "bool" },
  { key: "rgb_matrix.default.hue", define: "RGB_MATRIX_DEFAULT_HUE", type: "int", max: 255 },
  { key: "rgb_matrix.default.sat", define: "RGB_MATRIX_DEFAULT_SAT", type: "int", max: 255 },
  { key: "rgb_matrix.default.val", define: "RGB_MATRIX_DEFAULT_VAL", type: "int", max: 255 },
  { key: "rgb_matrix.default.speed", define: "RGB_MATRIX_DEFAULT_SPD", type: "int", max: 255 },
  { key: "rgb_matrix.default.flags", define: "RGB_MATRIX_DEFAULT_FLAGS", type: "int", max: 255 },
  { key: "rgblight.hue_steps", define: "RGBLIGHT_HUE_STEP", type: "int" },
  { key: "rgblight.layers.blink", define: "RGBLIGHT_LAYER_BLINK", type: "flag" },
  { key: "rgblight.layers.enabled", define: "RGBLIGHT_LAYERS", type: "flag" },
  { key: "rgblight.layers.override_rgb", define: "RGBLIGHT_LAYERS_OVERRIDE_RGB_OFF", type: "flag" },
  { key: "rgblight.max_brightness", define: "RGBLIGHT_LIMIT_VAL", type: "int", max: 255 },
  { key: "rgblight.layers.max", define: "RGBLIGHT_MAX_LAYERS", type: "int", min: 1, max: 32 },
  { key: "rgblight.saturation_steps", define: "RGBLIGHT_SAT_STEP", type: "int" },
  { key: "rgblight.sleep", define: "RGBLIGHT_SLEEP", type: "flag" },
  { key: "rgblight.brightness_steps", define: "RGBLIGHT_VAL_STEP", type: "int" },
  { key: "rgblight.default.on", define: "RGBLIGHT_DEFAULT_ON", type: "bool" },
  { key: "rgblight.default.hue", define: "RGBLIGHT_DEFAULT_HUE", type: "int", max: 255 },
  { key: "rgblight.default.sat", define: "RGBLIGHT_DEFAULT_SAT", type: "int", max: 255 },
  { key: "rgblight.default.val", define: "RGBLIGHT_DEFAULT_VAL", type: "int", max: 255 },
  { key: "rgblight.default.speed", define: "RGBLIGHT_DEFAULT_SPD", type: "int", max: 255 },
  { key: "secure.idle_timeout", define: "SECURE_IDLE_TIMEOUT", type: "int" },
  { key: "secure.unlock_timeout", define: "SECURE_UNLOCK_TIMEOUT", type: "int" },
  { key: "split.usb_detect.enabled", define: "SPLIT_USB_DETECT", type: "flag" },
  { key: "split.usb_detect.timeout", define: "SPLIT_USB_TIMEOUT", type: "int" },
  { key: "split.usb_detect.polling_interval", define: "SPLIT_USB_TIMEOUT_POLL", type: "int" },
  { key: "split.transport.watchdog", define: "SPLIT_WATCHDOG_ENABLE", type: "flag" },
  { key: "split.transport.watchdog_timeout", define: "SPLIT_WATCHDOG_TIMEOUT", type: "int" },
  { key: "split.transport.sync.activity", define: "SPLIT_ACTIVITY_ENABLE", type: "flag" },
  { key: "split.transport.sync.detected_os", define: "SPLIT_DETECTED_OS_ENABLE", type: "flag" },
  { key: "split.transport.sync.haptic", define: "SPLIT_HAPTIC_ENABLE", type: "flag" },
  { key: "split.transport.sync.layer_state", define: "SPLIT_LAYER_STATE_ENABLE", type: "flag" },
  { key: "split.transport.sync.indicators", define: "SPLIT_LED_STATE_ENABLE", type: "flag" },
  { key: "split.transport.sync.matrix_state", define: "SPLIT_TRANSPORT_MIRROR", type: "flag" },
  { key: "split.transport.sync.modifiers", define: "SPLIT_MODS_ENABLE", type: "flag" },
  { key: "split.transport.sync.oled", define: "SPLIT_OLED_ENABLE", type: "flag" },
  { key: "split.transport.sync.st7565", define: "SPLIT_ST7565_ENABLE", type: "flag" },
  { key: "split.transport.sync.wpm", define: "SPLIT_WPM_ENABLE", type: "flag" },
  { key: "tapping.chordal_hold", define: "CHORDAL_HOLD", type: "flag" },
  { key: "tapping.flow_tap_term", define: "FLOW_TAP_TERM", type: "int" },
  { key: "tapping.hold_on_other_key_press", define: "HOLD_ON_OTHER_KEY_PRESS", type: "flag" },
  { key: "tapping.hold_on_other_key_press_per_key", define: "HOLD_ON_OTHER_KEY_PRESS_PER_KEY", type: "flag" },
  { key: "tapping.permissive_hold", define: "PERMISSIVE_HOLD", type: "flag" },
  { key: "tapping.permissive_hold_per_key", define: "PERMISSIVE_HOLD_PER_KEY", type: "flag" },
  { key: "tapping.retro", define: "RETRO_TAPPING", type: "flag" },
  { key: "tapping.retro_per_key", define: "RETRO_TAPPING_PER_KEY", type: "flag" },
  { key: "tapping.speculative_hold", define: "SPECULATIVE_HOLD", type: "flag" },
  { key: "tapping.speculative_hold_flow_term", define: "SPECULATIVE_HOLD_FLOW_TERM", type: "int" },
  { key: "tapping.speculative_hold_one_key", define: "SPECULATIVE_HOLD_ONE_KEY", type: "flag" },
  { key: "qmk.tap_keycode_delay", define: "TAP_CODE_DELAY", type: "int" },
  { key: "qmk.tap_capslock_delay", define: "TAP_HOLD_CAPS_DELAY", type: "int" },
  { key: "tapping.term", define: "TAPPING_TERM", type: "int" },
  { key: "tapping.term_per_key", define: "TAPPING_TERM_PER_KEY", type: "flag" },
  { key: "tapping.toggle", define: "TAPPING_TOGGLE", type: "int" },
  { key: "usb.polling_interval", define: "USB_POLLING_INTERVAL_MS", type: "int", max: 255 },
  { key: "usb.suspend_wakeup_delay", define: "USB_SUSPEND_WAKEUP_DELAY", type: "int" },
  { key: "tapping.force_hold", define: "TAPPING_FORCE_HOLD", type: "flag" },
  { key: "tapping.force_hold_per_key", define: "TAPPING_FORCE_HOLD_PER_KEY", type: "flag" },
];

export const CONFIG_RULES: readonly ConfigRule[] = [
  { key: "bootmagic.enabled", rule: "BOOTMAGIC_ENABLE" },
  { key: "caps_word.enabled", rule: "CAPS_WORD_ENABLE" },
  { key: "dip_switch.enabled", rule: "DIP_SWITCH_ENABLE" },
  { key: "encoder.enabled", rule: "ENCODER_ENABLE" },
  { key: "build.lto", rule: "LTO_ENABLE" },
  { key: "mouse_key.enabled", rule: "MOUSEKEY_ENABLE" },
  { key: "secure.enabled", rule: "SECURE_ENABLE" },
];

// generate_led_animations_config, in QMK's order: `animations.<name>` is a flag, `default.animation` the
// default mode.
export const CONFIG_LIGHTING = [
  { key: "led_matrix", enable: "ENABLE_LED_MATRIX_", mode: "LED_MATRIX_" },
  { key: "rgb_matrix", enable: "ENABLE_RGB_MATRIX_", mode: "RGB_MATRIX_" },
  { key: "rgblight", enable: "RGBLIGHT_EFFECT_", mode: "RGBLIGHT_MODE_" },
] as const;
