// qmk-edge demo tree: 16-bit keycode values.
//
// Every value here is the one QMK uses (keycode layout "v2", QMK 0.19 and later), so a
// keymaps[] array built against this tree holds exactly the codes a real QMK build of the
// same keymap would hold. Written for this tree; the numbers follow QMK's public keycode
// reference (docs/keycodes.md) and the USB HID usage tables.
//
// Constants are enumerators rather than macros on purpose: an unknown name then fails with
// gcc's "'KC_FOO' undeclared" exactly as it does in qmk_firmware. Function-like keycodes
// (MO(), LT(), LCTL(), ...) live in quantum_keycodes.h.
#pragma once

// ---------------------------------------------------------------------------------------
// Ranges of the 16-bit keycode space.
// ---------------------------------------------------------------------------------------
enum qk_keycode_ranges {
    QK_BASIC                    = 0x0000, // HID keyboard/consumer/system usages + mouse keys
    QK_BASIC_MAX                = 0x00FF,
    QK_MODS                     = 0x0100, // basic keycode with modifiers: mods5 << 8 | kc
    QK_MODS_MAX                 = 0x1FFF,
    QK_MOD_TAP                  = 0x2000, // MT(): mods5 << 8 | kc
    QK_MOD_TAP_MAX              = 0x3FFF,
    QK_LAYER_TAP                = 0x4000, // LT(): layer4 << 8 | kc
    QK_LAYER_TAP_MAX            = 0x4FFF,
    QK_LAYER_MOD                = 0x5000, // LM(): layer4 << 5 | mods5
    QK_LAYER_MOD_MAX            = 0x51FF,
    QK_TO                       = 0x5200, // TO(): layer5
    QK_TO_MAX                   = 0x521F,
    QK_MOMENTARY                = 0x5220, // MO()
    QK_MOMENTARY_MAX            = 0x523F,
    QK_DEF_LAYER                = 0x5240, // DF()
    QK_DEF_LAYER_MAX            = 0x525F,
    QK_TOGGLE_LAYER             = 0x5260, // TG()
    QK_TOGGLE_LAYER_MAX         = 0x527F,
    QK_ONE_SHOT_LAYER           = 0x5280, // OSL()
    QK_ONE_SHOT_LAYER_MAX       = 0x529F,
    QK_ONE_SHOT_MOD             = 0x52A0, // OSM(): mods5
    QK_ONE_SHOT_MOD_MAX         = 0x52BF,
    QK_LAYER_TAP_TOGGLE         = 0x52C0, // TT()
    QK_LAYER_TAP_TOGGLE_MAX     = 0x52DF,
    QK_PERSISTENT_DEF_LAYER     = 0x52E0, // PDF()
    QK_PERSISTENT_DEF_LAYER_MAX = 0x52FF,
    QK_SWAP_HANDS               = 0x5600,
    QK_SWAP_HANDS_MAX           = 0x56FF,
    QK_TAP_DANCE                = 0x5700, // TD()
    QK_TAP_DANCE_MAX            = 0x57FF,
    QK_MAGIC                    = 0x7000,
    QK_MAGIC_MAX                = 0x70FF,
    QK_MIDI                     = 0x7100,
    QK_MIDI_MAX                 = 0x71FF,
    QK_SEQUENCER                = 0x7200,
    QK_SEQUENCER_MAX            = 0x73FF,
    QK_JOYSTICK                 = 0x7400,
    QK_JOYSTICK_MAX             = 0x743F,
    QK_PROGRAMMABLE_BUTTON      = 0x7440,
    QK_PROGRAMMABLE_BUTTON_MAX  = 0x747F,
    QK_AUDIO                    = 0x7480,
    QK_AUDIO_MAX                = 0x74BF,
    QK_STENO                    = 0x74C0,
    QK_STENO_MAX                = 0x751F,
    QK_MACRO                    = 0x7700,
    QK_MACRO_MAX                = 0x777F,
    QK_CONNECTION               = 0x7780,
    QK_CONNECTION_MAX           = 0x77BF,
    QK_LIGHTING                 = 0x7800,
    QK_LIGHTING_MAX             = 0x78FF,
    QK_QUANTUM                  = 0x7C00,
    QK_QUANTUM_MAX              = 0x7DFF,
    QK_KB                       = 0x7E00,
    QK_KB_MAX                   = 0x7E3F,
    QK_USER                     = 0x7E40,
    QK_USER_MAX                 = 0x7FFF,
    QK_UNICODE                  = 0x8000, // UC(), UM(), UP() share the top half
    QK_UNICODE_MAX              = 0xFFFF,
    QK_UNICODEMAP               = 0x8000,
    QK_UNICODEMAP_MAX           = 0xBFFF,
    QK_UNICODEMAP_PAIR          = 0xC000,
    QK_UNICODEMAP_PAIR_MAX      = 0xFFFF,
};

// ---------------------------------------------------------------------------------------
// Basic keycodes: HID Keyboard/Keypad page usages 0x04-0xA4, then QMK's own placement of
// system (0xA5-0xA7), consumer (0xA8-0xC2), mouse keys (0xCD-0xDF) and modifiers (0xE0-0xE7).
// ---------------------------------------------------------------------------------------
enum qk_basic_keycodes {
    KC_NO = 0x0000,
    KC_TRANSPARENT = 0x0001,

    KC_A = 0x0004, KC_B, KC_C, KC_D, KC_E, KC_F, KC_G, KC_H, KC_I, KC_J, KC_K, KC_L, KC_M,
    KC_N, KC_O, KC_P, KC_Q, KC_R, KC_S, KC_T, KC_U, KC_V, KC_W, KC_X, KC_Y, KC_Z, // ..0x1D

    KC_1 = 0x001E, KC_2, KC_3, KC_4, KC_5, KC_6, KC_7, KC_8, KC_9, KC_0, // ..0x27

    KC_ENTER = 0x0028,
    KC_ESCAPE,           // 0x29
    KC_BACKSPACE,        // 0x2A
    KC_TAB,              // 0x2B
    KC_SPACE,            // 0x2C
    KC_MINUS,            // 0x2D
    KC_EQUAL,            // 0x2E
    KC_LEFT_BRACKET,     // 0x2F
    KC_RIGHT_BRACKET,    // 0x30
    KC_BACKSLASH,        // 0x31
    KC_NONUS_HASH,       // 0x32
    KC_SEMICOLON,        // 0x33
    KC_QUOTE,            // 0x34
    KC_GRAVE,            // 0x35
    KC_COMMA,            // 0x36
    KC_DOT,              // 0x37
    KC_SLASH,            // 0x38
    KC_CAPS_LOCK,        // 0x39

    KC_F1 = 0x003A, KC_F2, KC_F3, KC_F4, KC_F5, KC_F6, KC_F7, KC_F8, KC_F9, KC_F10, KC_F11,
    KC_F12, // 0x45

    KC_PRINT_SCREEN = 0x0046,
    KC_SCROLL_LOCK,      // 0x47
    KC_PAUSE,            // 0x48
    KC_INSERT,           // 0x49
    KC_HOME,             // 0x4A
    KC_PAGE_UP,          // 0x4B
    KC_DELETE,           // 0x4C
    KC_END,              // 0x4D
    KC_PAGE_DOWN,        // 0x4E
    KC_RIGHT,            // 0x4F
    KC_LEFT,             // 0x50
    KC_DOWN,             // 0x51
    KC_UP,               // 0x52
    KC_NUM_LOCK,         // 0x53
    KC_KP_SLASH,         // 0x54
    KC_KP_ASTERISK,      // 0x55
    KC_KP_MINUS,         // 0x56
    KC_KP_PLUS,          // 0x57
    KC_KP_ENTER,         // 0x58
    KC_KP_1, KC_KP_2, KC_KP_3, KC_KP_4, KC_KP_5, KC_KP_6, KC_KP_7, KC_KP_8, KC_KP_9, // 0x59..0x61
    KC_KP_0,             // 0x62
    KC_KP_DOT,           // 0x63
    KC_NONUS_BACKSLASH,  // 0x64
    KC_APPLICATION,      // 0x65
    KC_KB_POWER,         // 0x66
    KC_KP_EQUAL,         // 0x67

    KC_F13 = 0x0068, KC_F14, KC_F15, KC_F16, KC_F17, KC_F18, KC_F19, KC_F20, KC_F21, KC_F22,
    KC_F23, KC_F24, // 0x73

    KC_EXECUTE = 0x0074,
    KC_HELP,             // 0x75
    KC_MENU,             // 0x76
    KC_SELECT,           // 0x77
    KC_STOP,             // 0x78
    KC_AGAIN,            // 0x79
    KC_UNDO,             // 0x7A
    KC_CUT,              // 0x7B
    KC_COPY,             // 0x7C
    KC_PASTE,            // 0x7D
    KC_FIND,             // 0x7E
    KC_KB_MUTE,          // 0x7F
    KC_KB_VOLUME_UP,     // 0x80
    KC_KB_VOLUME_DOWN,   // 0x81
    KC_LOCKING_CAPS_LOCK,   // 0x82
    KC_LOCKING_NUM_LOCK,    // 0x83
    KC_LOCKING_SCROLL_LOCK, // 0x84
    KC_KP_COMMA,         // 0x85
    KC_KP_EQUAL_AS400,   // 0x86
    KC_INTERNATIONAL_1, KC_INTERNATIONAL_2, KC_INTERNATIONAL_3, KC_INTERNATIONAL_4,
    KC_INTERNATIONAL_5, KC_INTERNATIONAL_6, KC_INTERNATIONAL_7, KC_INTERNATIONAL_8,
    KC_INTERNATIONAL_9,  // 0x87..0x8F
    KC_LANGUAGE_1, KC_LANGUAGE_2, KC_LANGUAGE_3, KC_LANGUAGE_4, KC_LANGUAGE_5,
    KC_LANGUAGE_6, KC_LANGUAGE_7, KC_LANGUAGE_8, KC_LANGUAGE_9, // 0x90..0x98
    KC_ALTERNATE_ERASE,  // 0x99
    KC_SYSTEM_REQUEST,   // 0x9A
    KC_CANCEL,           // 0x9B
    KC_CLEAR,            // 0x9C
    KC_PRIOR,            // 0x9D
    KC_RETURN,           // 0x9E
    KC_SEPARATOR,        // 0x9F
    KC_OUT,              // 0xA0
    KC_OPER,             // 0xA1
    KC_CLEAR_AGAIN,      // 0xA2
    KC_CRSEL,            // 0xA3
    KC_EXSEL,            // 0xA4

    // Generic Desktop page (system control), remapped into the basic range by QMK.
    KC_SYSTEM_POWER = 0x00A5,
    KC_SYSTEM_SLEEP,     // 0xA6
    KC_SYSTEM_WAKE,      // 0xA7

    // Consumer page, remapped into the basic range by QMK.
    KC_AUDIO_MUTE = 0x00A8,
    KC_AUDIO_VOL_UP,     // 0xA9
    KC_AUDIO_VOL_DOWN,   // 0xAA
    KC_MEDIA_NEXT_TRACK, // 0xAB
    KC_MEDIA_PREV_TRACK, // 0xAC
    KC_MEDIA_STOP,       // 0xAD
    KC_MEDIA_PLAY_PAUSE, // 0xAE
    KC_MEDIA_SELECT,     // 0xAF
    KC_MEDIA_EJECT,      // 0xB0
    KC_MAIL,             // 0xB1
    KC_CALCULATOR,       // 0xB2
    KC_MY_COMPUTER,      // 0xB3
    KC_WWW_SEARCH,       // 0xB4
    KC_WWW_HOME,         // 0xB5
    KC_WWW_BACK,         // 0xB6
    KC_WWW_FORWARD,      // 0xB7
    KC_WWW_STOP,         // 0xB8
    KC_WWW_REFRESH,      // 0xB9
    KC_WWW_FAVORITES,    // 0xBA
    KC_MEDIA_FAST_FORWARD, // 0xBB
    KC_MEDIA_REWIND,     // 0xBC
    KC_BRIGHTNESS_UP,    // 0xBD
    KC_BRIGHTNESS_DOWN,  // 0xBE
    KC_CONTROL_PANEL,    // 0xBF
    KC_ASSISTANT,        // 0xC0
    KC_MISSION_CONTROL,  // 0xC1
    KC_LAUNCHPAD,        // 0xC2

    // Mouse keys.
    QK_MOUSE_CURSOR_UP = 0x00CD,
    QK_MOUSE_CURSOR_DOWN,    // 0xCE
    QK_MOUSE_CURSOR_LEFT,    // 0xCF
    QK_MOUSE_CURSOR_RIGHT,   // 0xD0
    QK_MOUSE_BUTTON_1, QK_MOUSE_BUTTON_2, QK_MOUSE_BUTTON_3, QK_MOUSE_BUTTON_4,
    QK_MOUSE_BUTTON_5, QK_MOUSE_BUTTON_6, QK_MOUSE_BUTTON_7, QK_MOUSE_BUTTON_8, // 0xD1..0xD8
    QK_MOUSE_WHEEL_UP,       // 0xD9
    QK_MOUSE_WHEEL_DOWN,     // 0xDA
    QK_MOUSE_WHEEL_LEFT,     // 0xDB
    QK_MOUSE_WHEEL_RIGHT,    // 0xDC
    QK_MOUSE_ACCELERATION_0, // 0xDD
    QK_MOUSE_ACCELERATION_1, // 0xDE
    QK_MOUSE_ACCELERATION_2, // 0xDF

    // Modifiers (HID usages 0xE0-0xE7).
    KC_LEFT_CTRL = 0x00E0,
    KC_LEFT_SHIFT,       // 0xE1
    KC_LEFT_ALT,         // 0xE2
    KC_LEFT_GUI,         // 0xE3
    KC_RIGHT_CTRL,       // 0xE4
    KC_RIGHT_SHIFT,      // 0xE5
    KC_RIGHT_ALT,        // 0xE6
    KC_RIGHT_GUI,        // 0xE7
};

// ---------------------------------------------------------------------------------------
// Fixed keycodes above the basic range.
// ---------------------------------------------------------------------------------------
enum qk_special_keycodes {
    // Swap hands
    QK_SWAP_HANDS_TOGGLE = 0x56F0,
    QK_SWAP_HANDS_TAP_TOGGLE,      // 0x56F1
    QK_SWAP_HANDS_MOMENTARY_ON,    // 0x56F2
    QK_SWAP_HANDS_MOMENTARY_OFF,   // 0x56F3
    QK_SWAP_HANDS_OFF,             // 0x56F4
    QK_SWAP_HANDS_ON,              // 0x56F5
    QK_SWAP_HANDS_ONE_SHOT,        // 0x56F6

    // Magic (bootmagic-style runtime swaps)
    QK_MAGIC_SWAP_CONTROL_CAPS_LOCK = 0x7000,
    QK_MAGIC_UNSWAP_CONTROL_CAPS_LOCK,   // 0x7001
    QK_MAGIC_TOGGLE_CONTROL_CAPS_LOCK,   // 0x7002
    QK_MAGIC_CAPS_LOCK_AS_CONTROL_OFF,   // 0x7003
    QK_MAGIC_CAPS_LOCK_AS_CONTROL_ON,    // 0x7004
    QK_MAGIC_SWAP_LALT_LGUI,             // 0x7005
    QK_MAGIC_UNSWAP_LALT_LGUI,           // 0x7006
    QK_MAGIC_SWAP_RALT_RGUI,             // 0x7007
    QK_MAGIC_UNSWAP_RALT_RGUI,           // 0x7008
    QK_MAGIC_GUI_ON,                     // 0x7009
    QK_MAGIC_GUI_OFF,                    // 0x700A
    QK_MAGIC_TOGGLE_GUI,                 // 0x700B
    QK_MAGIC_SWAP_GRAVE_ESC,             // 0x700C
    QK_MAGIC_UNSWAP_GRAVE_ESC,           // 0x700D
    QK_MAGIC_SWAP_BACKSLASH_BACKSPACE,   // 0x700E
    QK_MAGIC_UNSWAP_BACKSLASH_BACKSPACE, // 0x700F
    QK_MAGIC_TOGGLE_BACKSLASH_BACKSPACE, // 0x7010
    QK_MAGIC_NKRO_ON,                    // 0x7011
    QK_MAGIC_NKRO_OFF,                   // 0x7012
    QK_MAGIC_TOGGLE_NKRO,                // 0x7013
    QK_MAGIC_SWAP_ALT_GUI,               // 0x7014
    QK_MAGIC_UNSWAP_ALT_GUI,             // 0x7015
    QK_MAGIC_TOGGLE_ALT_GUI,             // 0x7016
    QK_MAGIC_SWAP_LCTL_LGUI,             // 0x7017
    QK_MAGIC_UNSWAP_LCTL_LGUI,           // 0x7018
    QK_MAGIC_SWAP_RCTL_RGUI,             // 0x7019
    QK_MAGIC_UNSWAP_RCTL_RGUI,           // 0x701A
    QK_MAGIC_SWAP_CTL_GUI,               // 0x701B
    QK_MAGIC_UNSWAP_CTL_GUI,             // 0x701C
    QK_MAGIC_TOGGLE_CTL_GUI,             // 0x701D
    QK_MAGIC_EE_HANDS_LEFT,              // 0x701E
    QK_MAGIC_EE_HANDS_RIGHT,             // 0x701F
    QK_MAGIC_SWAP_ESCAPE_CAPS_LOCK,      // 0x7020
    QK_MAGIC_UNSWAP_ESCAPE_CAPS_LOCK,    // 0x7021
    QK_MAGIC_TOGGLE_ESCAPE_CAPS_LOCK,    // 0x7022

    // MIDI (only the switches; notes are QK_MIDI + n)
    QK_MIDI_ON = 0x7100,
    QK_MIDI_OFF,                         // 0x7101
    QK_MIDI_TOGGLE,                      // 0x7102

    // Audio
    QK_AUDIO_ON = 0x7480,
    QK_AUDIO_OFF,                        // 0x7481
    QK_AUDIO_TOGGLE,                     // 0x7482
    QK_AUDIO_CLICKY_TOGGLE = 0x748A,
    QK_AUDIO_CLICKY_ON,                  // 0x748B
    QK_AUDIO_CLICKY_OFF,                 // 0x748C
    QK_AUDIO_CLICKY_UP,                  // 0x748D
    QK_AUDIO_CLICKY_DOWN,                // 0x748E
    QK_AUDIO_CLICKY_RESET,               // 0x748F
    QK_MUSIC_ON,                         // 0x7490
    QK_MUSIC_OFF,                        // 0x7491
    QK_MUSIC_TOGGLE,                     // 0x7492
    QK_MUSIC_MODE_NEXT,                  // 0x7493
    QK_AUDIO_VOICE_NEXT,                 // 0x7494
    QK_AUDIO_VOICE_PREVIOUS,             // 0x7495

    // Macros
    QK_MACRO_0 = 0x7700, QK_MACRO_1, QK_MACRO_2, QK_MACRO_3, QK_MACRO_4, QK_MACRO_5,
    QK_MACRO_6, QK_MACRO_7, QK_MACRO_8, QK_MACRO_9, QK_MACRO_10, QK_MACRO_11, QK_MACRO_12,
    QK_MACRO_13, QK_MACRO_14, QK_MACRO_15, QK_MACRO_16, QK_MACRO_17, QK_MACRO_18,
    QK_MACRO_19, QK_MACRO_20, QK_MACRO_21, QK_MACRO_22, QK_MACRO_23, QK_MACRO_24,
    QK_MACRO_25, QK_MACRO_26, QK_MACRO_27, QK_MACRO_28, QK_MACRO_29, QK_MACRO_30,
    QK_MACRO_31, // 0x771F

    // Connection (output selection / Bluetooth profiles)
    QK_OUTPUT_AUTO = 0x7780,
    QK_OUTPUT_NEXT,                      // 0x7781
    QK_OUTPUT_PREV,                      // 0x7782
    QK_OUTPUT_NONE,                      // 0x7783
    QK_OUTPUT_USB,                       // 0x7784
    QK_OUTPUT_2P4GHZ,                    // 0x7785
    QK_OUTPUT_BLUETOOTH,                 // 0x7786
    QK_BLUETOOTH_PROFILE_NEXT = 0x7790,
    QK_BLUETOOTH_PROFILE_PREV,           // 0x7791
    QK_BLUETOOTH_UNPAIR,                 // 0x7792
    QK_BLUETOOTH_PROFILE1,               // 0x7793
    QK_BLUETOOTH_PROFILE2,               // 0x7794
    QK_BLUETOOTH_PROFILE3,               // 0x7795
    QK_BLUETOOTH_PROFILE4,               // 0x7796
    QK_BLUETOOTH_PROFILE5,               // 0x7797

    // Lighting: backlight
    QK_BACKLIGHT_ON = 0x7800,
    QK_BACKLIGHT_OFF,                    // 0x7801
    QK_BACKLIGHT_TOGGLE,                 // 0x7802
    QK_BACKLIGHT_DOWN,                   // 0x7803
    QK_BACKLIGHT_UP,                     // 0x7804
    QK_BACKLIGHT_STEP,                   // 0x7805
    QK_BACKLIGHT_TOGGLE_BREATHING,       // 0x7806

    // Lighting: LED matrix
    QK_LED_MATRIX_ON = 0x7810,
    QK_LED_MATRIX_OFF,                   // 0x7811
    QK_LED_MATRIX_TOGGLE,                // 0x7812
    QK_LED_MATRIX_MODE_NEXT,             // 0x7813
    QK_LED_MATRIX_MODE_PREVIOUS,         // 0x7814
    QK_LED_MATRIX_BRIGHTNESS_UP,         // 0x7815
    QK_LED_MATRIX_BRIGHTNESS_DOWN,       // 0x7816
    QK_LED_MATRIX_SPEED_UP,              // 0x7817
    QK_LED_MATRIX_SPEED_DOWN,            // 0x7818
    QK_LED_MATRIX_FLAG_NEXT,             // 0x7819
    QK_LED_MATRIX_FLAG_PREVIOUS,         // 0x781A

    // Lighting: RGB underglow (rgblight)
    QK_UNDERGLOW_TOGGLE = 0x7820,
    QK_UNDERGLOW_MODE_NEXT,              // 0x7821
    QK_UNDERGLOW_MODE_PREVIOUS,          // 0x7822
    QK_UNDERGLOW_HUE_UP,                 // 0x7823
    QK_UNDERGLOW_HUE_DOWN,               // 0x7824
    QK_UNDERGLOW_SATURATION_UP,          // 0x7825
    QK_UNDERGLOW_SATURATION_DOWN,        // 0x7826
    QK_UNDERGLOW_VALUE_UP,               // 0x7827
    QK_UNDERGLOW_VALUE_DOWN,             // 0x7828
    QK_UNDERGLOW_SPEED_UP,               // 0x7829
    QK_UNDERGLOW_SPEED_DOWN,             // 0x782A
    RGB_MODE_PLAIN,                      // 0x782B
    RGB_MODE_BREATHE,                    // 0x782C
    RGB_MODE_RAINBOW,                    // 0x782D
    RGB_MODE_SWIRL,                      // 0x782E
    RGB_MODE_SNAKE,                      // 0x782F
    RGB_MODE_KNIGHT,                     // 0x7830
    RGB_MODE_XMAS,                       // 0x7831
    RGB_MODE_GRADIENT,                   // 0x7832
    RGB_MODE_RGBTEST,                    // 0x7833
    RGB_MODE_TWINKLE,                    // 0x7834

    // Lighting: RGB matrix
    QK_RGB_MATRIX_ON = 0x7840,
    QK_RGB_MATRIX_OFF,                   // 0x7841
    QK_RGB_MATRIX_TOGGLE,                // 0x7842
    QK_RGB_MATRIX_MODE_NEXT,             // 0x7843
    QK_RGB_MATRIX_MODE_PREVIOUS,         // 0x7844
    QK_RGB_MATRIX_HUE_UP,                // 0x7845
    QK_RGB_MATRIX_HUE_DOWN,              // 0x7846
    QK_RGB_MATRIX_SATURATION_UP,         // 0x7847
    QK_RGB_MATRIX_SATURATION_DOWN,       // 0x7848
    QK_RGB_MATRIX_VALUE_UP,              // 0x7849
    QK_RGB_MATRIX_VALUE_DOWN,            // 0x784A
    QK_RGB_MATRIX_SPEED_UP,              // 0x784B
    QK_RGB_MATRIX_SPEED_DOWN,            // 0x784C
    QK_RGB_MATRIX_FLAG_NEXT,             // 0x784D
    QK_RGB_MATRIX_FLAG_PREVIOUS,         // 0x784E

    // Quantum
    QK_BOOTLOADER = 0x7C00,
    QK_REBOOT,                           // 0x7C01
    QK_DEBUG_TOGGLE,                     // 0x7C02
    QK_CLEAR_EEPROM,                     // 0x7C03
    QK_MAKE,                             // 0x7C04
    QK_AUTO_SHIFT_DOWN = 0x7C10,
    QK_AUTO_SHIFT_UP,                    // 0x7C11
    QK_AUTO_SHIFT_REPORT,                // 0x7C12
    QK_AUTO_SHIFT_ON,                    // 0x7C13
    QK_AUTO_SHIFT_OFF,                   // 0x7C14
    QK_AUTO_SHIFT_TOGGLE,                // 0x7C15
    QK_GRAVE_ESCAPE,                     // 0x7C16
    QK_VELOCIKEY_TOGGLE,                 // 0x7C17
    QK_SPACE_CADET_LEFT_CTRL_PARENTHESIS_OPEN,    // 0x7C18
    QK_SPACE_CADET_RIGHT_CTRL_PARENTHESIS_CLOSE,  // 0x7C19
    QK_SPACE_CADET_LEFT_SHIFT_PARENTHESIS_OPEN,   // 0x7C1A
    QK_SPACE_CADET_RIGHT_SHIFT_PARENTHESIS_CLOSE, // 0x7C1B
    QK_SPACE_CADET_LEFT_ALT_PARENTHESIS_OPEN,     // 0x7C1C
    QK_SPACE_CADET_RIGHT_ALT_PARENTHESIS_CLOSE,   // 0x7C1D
    QK_SPACE_CADET_RIGHT_SHIFT_ENTER,             // 0x7C1E
    QK_UNICODE_MODE_NEXT = 0x7C30,
    QK_UNICODE_MODE_PREVIOUS,            // 0x7C31
    QK_UNICODE_MODE_MACOS,               // 0x7C32
    QK_UNICODE_MODE_LINUX,               // 0x7C33
    QK_UNICODE_MODE_WINDOWS,             // 0x7C34
    QK_UNICODE_MODE_BSD,                 // 0x7C35
    QK_UNICODE_MODE_WINCOMPOSE,          // 0x7C36
    QK_UNICODE_MODE_EMACS,               // 0x7C37
    QK_HAPTIC_ON = 0x7C40,
    QK_HAPTIC_OFF,                       // 0x7C41
    QK_HAPTIC_TOGGLE,                    // 0x7C42
    QK_HAPTIC_RESET,                     // 0x7C43
    QK_HAPTIC_FEEDBACK_TOGGLE,           // 0x7C44
    QK_HAPTIC_BUZZ_TOGGLE,               // 0x7C45
    QK_HAPTIC_MODE_NEXT,                 // 0x7C46
    QK_HAPTIC_MODE_PREVIOUS,             // 0x7C47
    QK_HAPTIC_CONTINUOUS_TOGGLE,         // 0x7C48
    QK_HAPTIC_CONTINUOUS_UP,             // 0x7C49
    QK_HAPTIC_CONTINUOUS_DOWN,           // 0x7C4A
    QK_HAPTIC_DWELL_UP,                  // 0x7C4B
    QK_HAPTIC_DWELL_DOWN,                // 0x7C4C
    QK_COMBO_ON = 0x7C50,
    QK_COMBO_OFF,                        // 0x7C51
    QK_COMBO_TOGGLE,                     // 0x7C52
    QK_DYNAMIC_MACRO_RECORD_START_1,     // 0x7C53
    QK_DYNAMIC_MACRO_RECORD_START_2,     // 0x7C54
    QK_DYNAMIC_MACRO_RECORD_STOP,        // 0x7C55
    QK_DYNAMIC_MACRO_PLAY_1,             // 0x7C56
    QK_DYNAMIC_MACRO_PLAY_2,             // 0x7C57
    QK_LEADER,                           // 0x7C58
    QK_LOCK,                             // 0x7C59
    QK_ONE_SHOT_ON,                      // 0x7C5A
    QK_ONE_SHOT_OFF,                     // 0x7C5B
    QK_ONE_SHOT_TOGGLE,                  // 0x7C5C
    QK_KEY_OVERRIDE_TOGGLE,              // 0x7C5D
    QK_KEY_OVERRIDE_ON,                  // 0x7C5E
    QK_KEY_OVERRIDE_OFF,                 // 0x7C5F
    QK_SECURE_LOCK,                      // 0x7C60
    QK_SECURE_UNLOCK,                    // 0x7C61
    QK_SECURE_TOGGLE,                    // 0x7C62
    QK_SECURE_REQUEST,                   // 0x7C63
    QK_DYNAMIC_TAPPING_TERM_PRINT = 0x7C70,
    QK_DYNAMIC_TAPPING_TERM_UP,          // 0x7C71
    QK_DYNAMIC_TAPPING_TERM_DOWN,        // 0x7C72
    QK_CAPS_WORD_TOGGLE,                 // 0x7C73
    QK_AUTOCORRECT_ON,                   // 0x7C74
    QK_AUTOCORRECT_OFF,                  // 0x7C75
    QK_AUTOCORRECT_TOGGLE,               // 0x7C76
    QK_TRI_LAYER_LOWER,                  // 0x7C77
    QK_TRI_LAYER_UPPER,                  // 0x7C78
    QK_REPEAT_KEY,                       // 0x7C79
    QK_ALT_REPEAT_KEY,                   // 0x7C7A
    QK_LAYER_LOCK,                       // 0x7C7B

    // Keyboard- and user-level custom keycodes
    QK_KB_0 = 0x7E00, QK_KB_1, QK_KB_2, QK_KB_3, QK_KB_4, QK_KB_5, QK_KB_6, QK_KB_7,
    QK_KB_8, QK_KB_9, QK_KB_10, QK_KB_11, QK_KB_12, QK_KB_13, QK_KB_14, QK_KB_15,
    QK_KB_16, QK_KB_17, QK_KB_18, QK_KB_19, QK_KB_20, QK_KB_21, QK_KB_22, QK_KB_23,
    QK_KB_24, QK_KB_25, QK_KB_26, QK_KB_27, QK_KB_28, QK_KB_29, QK_KB_30, QK_KB_31,
    QK_USER_0 = 0x7E40, QK_USER_1, QK_USER_2, QK_USER_3, QK_USER_4, QK_USER_5, QK_USER_6,
    QK_USER_7, QK_USER_8, QK_USER_9, QK_USER_10, QK_USER_11, QK_USER_12, QK_USER_13,
    QK_USER_14, QK_USER_15, QK_USER_16, QK_USER_17, QK_USER_18, QK_USER_19, QK_USER_20,
    QK_USER_21, QK_USER_22, QK_USER_23, QK_USER_24, QK_USER_25, QK_USER_26, QK_USER_27,
    QK_USER_28, QK_USER_29, QK_USER_30, QK_USER_31,
};

// ---------------------------------------------------------------------------------------
// Short names (what keymaps and the Configurator use).
// ---------------------------------------------------------------------------------------
enum qk_keycode_aliases {
    XXXXXXX = KC_NO,
    _______ = KC_TRANSPARENT,
    KC_TRNS = KC_TRANSPARENT,

    KC_ENT  = KC_ENTER,
    KC_ESC  = KC_ESCAPE,
    KC_BSPC = KC_BACKSPACE,
    KC_SPC  = KC_SPACE,
    KC_MINS = KC_MINUS,
    KC_EQL  = KC_EQUAL,
    KC_LBRC = KC_LEFT_BRACKET,
    KC_RBRC = KC_RIGHT_BRACKET,
    KC_BSLS = KC_BACKSLASH,
    KC_NUHS = KC_NONUS_HASH,
    KC_SCLN = KC_SEMICOLON,
    KC_QUOT = KC_QUOTE,
    KC_GRV  = KC_GRAVE,
    KC_COMM = KC_COMMA,
    KC_SLSH = KC_SLASH,
    KC_CAPS = KC_CAPS_LOCK,
    KC_PSCR = KC_PRINT_SCREEN,
    KC_SCRL = KC_SCROLL_LOCK,
    KC_BRMD = KC_SCROLL_LOCK, // macOS brightness down
    KC_PAUS = KC_PAUSE,
    KC_BRK  = KC_PAUSE,
    KC_BRMU = KC_PAUSE,       // macOS brightness up
    KC_INS  = KC_INSERT,
    KC_PGUP = KC_PAGE_UP,
    KC_DEL  = KC_DELETE,
    KC_PGDN = KC_PAGE_DOWN,
    KC_RGHT = KC_RIGHT,
    KC_NUM  = KC_NUM_LOCK,

    KC_PSLS = KC_KP_SLASH,
    KC_PAST = KC_KP_ASTERISK,
    KC_PMNS = KC_KP_MINUS,
    KC_PPLS = KC_KP_PLUS,
    KC_PENT = KC_KP_ENTER,
    KC_P1   = KC_KP_1,
    KC_P2   = KC_KP_2,
    KC_P3   = KC_KP_3,
    KC_P4   = KC_KP_4,
    KC_P5   = KC_KP_5,
    KC_P6   = KC_KP_6,
    KC_P7   = KC_KP_7,
    KC_P8   = KC_KP_8,
    KC_P9   = KC_KP_9,
    KC_P0   = KC_KP_0,
    KC_PDOT = KC_KP_DOT,
    KC_NUBS = KC_NONUS_BACKSLASH,
    KC_APP  = KC_APPLICATION,
    KC_PEQL = KC_KP_EQUAL,

    KC_EXEC = KC_EXECUTE,
    KC_SLCT = KC_SELECT,
    KC_AGIN = KC_AGAIN,
    KC_PSTE = KC_PASTE,
    KC_LCAP = KC_LOCKING_CAPS_LOCK,
    KC_LNUM = KC_LOCKING_NUM_LOCK,
    KC_LSCR = KC_LOCKING_SCROLL_LOCK,
    KC_PCMM = KC_KP_COMMA,
    KC_INT1 = KC_INTERNATIONAL_1,
    KC_INT2 = KC_INTERNATIONAL_2,
    KC_INT3 = KC_INTERNATIONAL_3,
    KC_INT4 = KC_INTERNATIONAL_4,
    KC_INT5 = KC_INTERNATIONAL_5,
    KC_INT6 = KC_INTERNATIONAL_6,
    KC_INT7 = KC_INTERNATIONAL_7,
    KC_INT8 = KC_INTERNATIONAL_8,
    KC_INT9 = KC_INTERNATIONAL_9,
    KC_LNG1 = KC_LANGUAGE_1,
    KC_LNG2 = KC_LANGUAGE_2,
    KC_LNG3 = KC_LANGUAGE_3,
    KC_LNG4 = KC_LANGUAGE_4,
    KC_LNG5 = KC_LANGUAGE_5,
    KC_LNG6 = KC_LANGUAGE_6,
    KC_LNG7 = KC_LANGUAGE_7,
    KC_LNG8 = KC_LANGUAGE_8,
    KC_LNG9 = KC_LANGUAGE_9,
    KC_ERAS = KC_ALTERNATE_ERASE,
    KC_SYRQ = KC_SYSTEM_REQUEST,
    KC_CNCL = KC_CANCEL,
    KC_CLR  = KC_CLEAR,
    KC_PRIR = KC_PRIOR,
    KC_RETN = KC_RETURN,
    KC_SEPR = KC_SEPARATOR,
    KC_CLAG = KC_CLEAR_AGAIN,
    KC_CRSL = KC_CRSEL,
    KC_EXSL = KC_EXSEL,

    KC_PWR  = KC_SYSTEM_POWER,
    KC_SLEP = KC_SYSTEM_SLEEP,
    KC_WAKE = KC_SYSTEM_WAKE,
    KC_MUTE = KC_AUDIO_MUTE,
    KC_VOLU = KC_AUDIO_VOL_UP,
    KC_VOLD = KC_AUDIO_VOL_DOWN,
    KC_MNXT = KC_MEDIA_NEXT_TRACK,
    KC_MPRV = KC_MEDIA_PREV_TRACK,
    KC_MSTP = KC_MEDIA_STOP,
    KC_MPLY = KC_MEDIA_PLAY_PAUSE,
    KC_MSEL = KC_MEDIA_SELECT,
    KC_EJCT = KC_MEDIA_EJECT,
    KC_CALC = KC_CALCULATOR,
    KC_MYCM = KC_MY_COMPUTER,
    KC_WSCH = KC_WWW_SEARCH,
    KC_WHOM = KC_WWW_HOME,
    KC_WBAK = KC_WWW_BACK,
    KC_WFWD = KC_WWW_FORWARD,
    KC_WSTP = KC_WWW_STOP,
    KC_WREF = KC_WWW_REFRESH,
    KC_WFAV = KC_WWW_FAVORITES,
    KC_MFFD = KC_MEDIA_FAST_FORWARD,
    KC_MRWD = KC_MEDIA_REWIND,
    KC_BRIU = KC_BRIGHTNESS_UP,
    KC_BRID = KC_BRIGHTNESS_DOWN,
    KC_CPNL = KC_CONTROL_PANEL,
    KC_ASST = KC_ASSISTANT,
    KC_MCTL = KC_MISSION_CONTROL,
    KC_LPAD = KC_LAUNCHPAD,

    // Mouse keys: current MS_* names ...
    MS_UP   = QK_MOUSE_CURSOR_UP,
    MS_DOWN = QK_MOUSE_CURSOR_DOWN,
    MS_LEFT = QK_MOUSE_CURSOR_LEFT,
    MS_RGHT = QK_MOUSE_CURSOR_RIGHT,
    MS_BTN1 = QK_MOUSE_BUTTON_1,
    MS_BTN2 = QK_MOUSE_BUTTON_2,
    MS_BTN3 = QK_MOUSE_BUTTON_3,
    MS_BTN4 = QK_MOUSE_BUTTON_4,
    MS_BTN5 = QK_MOUSE_BUTTON_5,
    MS_BTN6 = QK_MOUSE_BUTTON_6,
    MS_BTN7 = QK_MOUSE_BUTTON_7,
    MS_BTN8 = QK_MOUSE_BUTTON_8,
    MS_WHLU = QK_MOUSE_WHEEL_UP,
    MS_WHLD = QK_MOUSE_WHEEL_DOWN,
    MS_WHLL = QK_MOUSE_WHEEL_LEFT,
    MS_WHLR = QK_MOUSE_WHEEL_RIGHT,
    MS_ACL0 = QK_MOUSE_ACCELERATION_0,
    MS_ACL1 = QK_MOUSE_ACCELERATION_1,
    MS_ACL2 = QK_MOUSE_ACCELERATION_2,
    // ... and the older KC_MS_* / KC_BTN* / KC_WH_* / KC_ACL* names still found in keymaps.
    KC_MS_UP       = QK_MOUSE_CURSOR_UP,
    KC_MS_U        = QK_MOUSE_CURSOR_UP,
    KC_MS_DOWN     = QK_MOUSE_CURSOR_DOWN,
    KC_MS_D        = QK_MOUSE_CURSOR_DOWN,
    KC_MS_LEFT     = QK_MOUSE_CURSOR_LEFT,
    KC_MS_L        = QK_MOUSE_CURSOR_LEFT,
    KC_MS_RIGHT    = QK_MOUSE_CURSOR_RIGHT,
    KC_MS_R        = QK_MOUSE_CURSOR_RIGHT,
    KC_MS_BTN1     = QK_MOUSE_BUTTON_1,
    KC_BTN1        = QK_MOUSE_BUTTON_1,
    KC_MS_BTN2     = QK_MOUSE_BUTTON_2,
    KC_BTN2        = QK_MOUSE_BUTTON_2,
    KC_MS_BTN3     = QK_MOUSE_BUTTON_3,
    KC_BTN3        = QK_MOUSE_BUTTON_3,
    KC_MS_BTN4     = QK_MOUSE_BUTTON_4,
    KC_BTN4        = QK_MOUSE_BUTTON_4,
    KC_MS_BTN5     = QK_MOUSE_BUTTON_5,
    KC_BTN5        = QK_MOUSE_BUTTON_5,
    KC_MS_BTN6     = QK_MOUSE_BUTTON_6,
    KC_BTN6        = QK_MOUSE_BUTTON_6,
    KC_MS_BTN7     = QK_MOUSE_BUTTON_7,
    KC_BTN7        = QK_MOUSE_BUTTON_7,
    KC_MS_BTN8     = QK_MOUSE_BUTTON_8,
    KC_BTN8        = QK_MOUSE_BUTTON_8,
    KC_MS_WH_UP    = QK_MOUSE_WHEEL_UP,
    KC_WH_U        = QK_MOUSE_WHEEL_UP,
    KC_MS_WH_DOWN  = QK_MOUSE_WHEEL_DOWN,
    KC_WH_D        = QK_MOUSE_WHEEL_DOWN,
    KC_MS_WH_LEFT  = QK_MOUSE_WHEEL_LEFT,
    KC_WH_L        = QK_MOUSE_WHEEL_LEFT,
    KC_MS_WH_RIGHT = QK_MOUSE_WHEEL_RIGHT,
    KC_WH_R        = QK_MOUSE_WHEEL_RIGHT,
    KC_MS_ACCEL0   = QK_MOUSE_ACCELERATION_0,
    KC_ACL0        = QK_MOUSE_ACCELERATION_0,
    KC_MS_ACCEL1   = QK_MOUSE_ACCELERATION_1,
    KC_ACL1        = QK_MOUSE_ACCELERATION_1,
    KC_MS_ACCEL2   = QK_MOUSE_ACCELERATION_2,
    KC_ACL2        = QK_MOUSE_ACCELERATION_2,

    KC_LCTL = KC_LEFT_CTRL,
    KC_LSFT = KC_LEFT_SHIFT,
    KC_LALT = KC_LEFT_ALT,
    KC_LOPT = KC_LEFT_ALT,
    KC_LGUI = KC_LEFT_GUI,
    KC_LCMD = KC_LEFT_GUI,
    KC_LWIN = KC_LEFT_GUI,
    KC_RCTL = KC_RIGHT_CTRL,
    KC_RSFT = KC_RIGHT_SHIFT,
    KC_RALT = KC_RIGHT_ALT,
    KC_ROPT = KC_RIGHT_ALT,
    KC_ALGR = KC_RIGHT_ALT,
    KC_RGUI = KC_RIGHT_GUI,
    KC_RCMD = KC_RIGHT_GUI,
    KC_RWIN = KC_RIGHT_GUI,

    SH_TOGG = QK_SWAP_HANDS_TOGGLE,
    SH_TT   = QK_SWAP_HANDS_TAP_TOGGLE,
    SH_MON  = QK_SWAP_HANDS_MOMENTARY_ON,
    SH_MOFF = QK_SWAP_HANDS_MOMENTARY_OFF,
    SH_OFF  = QK_SWAP_HANDS_OFF,
    SH_ON   = QK_SWAP_HANDS_ON,
    SH_OS   = QK_SWAP_HANDS_ONE_SHOT,

    CL_SWAP = QK_MAGIC_SWAP_CONTROL_CAPS_LOCK,
    CL_NORM = QK_MAGIC_UNSWAP_CONTROL_CAPS_LOCK,
    CL_TOGG = QK_MAGIC_TOGGLE_CONTROL_CAPS_LOCK,
    CL_CAPS = QK_MAGIC_CAPS_LOCK_AS_CONTROL_OFF,
    CL_CTRL = QK_MAGIC_CAPS_LOCK_AS_CONTROL_ON,
    AG_LSWP = QK_MAGIC_SWAP_LALT_LGUI,
    AG_LNRM = QK_MAGIC_UNSWAP_LALT_LGUI,
    AG_RSWP = QK_MAGIC_SWAP_RALT_RGUI,
    AG_RNRM = QK_MAGIC_UNSWAP_RALT_RGUI,
    GU_ON   = QK_MAGIC_GUI_ON,
    GU_OFF  = QK_MAGIC_GUI_OFF,
    GU_TOGG = QK_MAGIC_TOGGLE_GUI,
    GE_SWAP = QK_MAGIC_SWAP_GRAVE_ESC,
    GE_NORM = QK_MAGIC_UNSWAP_GRAVE_ESC,
    BS_SWAP = QK_MAGIC_SWAP_BACKSLASH_BACKSPACE,
    BS_NORM = QK_MAGIC_UNSWAP_BACKSLASH_BACKSPACE,
    BS_TOGG = QK_MAGIC_TOGGLE_BACKSLASH_BACKSPACE,
    NK_ON   = QK_MAGIC_NKRO_ON,
    NK_OFF  = QK_MAGIC_NKRO_OFF,
    NK_TOGG = QK_MAGIC_TOGGLE_NKRO,
    AG_SWAP = QK_MAGIC_SWAP_ALT_GUI,
    AG_NORM = QK_MAGIC_UNSWAP_ALT_GUI,
    AG_TOGG = QK_MAGIC_TOGGLE_ALT_GUI,
    CG_LSWP = QK_MAGIC_SWAP_LCTL_LGUI,
    CG_LNRM = QK_MAGIC_UNSWAP_LCTL_LGUI,
    CG_RSWP = QK_MAGIC_SWAP_RCTL_RGUI,
    CG_RNRM = QK_MAGIC_UNSWAP_RCTL_RGUI,
    CG_SWAP = QK_MAGIC_SWAP_CTL_GUI,
    CG_NORM = QK_MAGIC_UNSWAP_CTL_GUI,
    CG_TOGG = QK_MAGIC_TOGGLE_CTL_GUI,
    EH_LEFT = QK_MAGIC_EE_HANDS_LEFT,
    EH_RGHT = QK_MAGIC_EE_HANDS_RIGHT,
    EC_SWAP = QK_MAGIC_SWAP_ESCAPE_CAPS_LOCK,
    EC_NORM = QK_MAGIC_UNSWAP_ESCAPE_CAPS_LOCK,
    EC_TOGG = QK_MAGIC_TOGGLE_ESCAPE_CAPS_LOCK,

    MI_ON   = QK_MIDI_ON,
    MI_OFF  = QK_MIDI_OFF,
    MI_TOGG = QK_MIDI_TOGGLE,

    AU_ON   = QK_AUDIO_ON,
    AU_OFF  = QK_AUDIO_OFF,
    AU_TOGG = QK_AUDIO_TOGGLE,
    CK_TOGG = QK_AUDIO_CLICKY_TOGGLE,
    CK_ON   = QK_AUDIO_CLICKY_ON,
    CK_OFF  = QK_AUDIO_CLICKY_OFF,
    CK_UP   = QK_AUDIO_CLICKY_UP,
    CK_DOWN = QK_AUDIO_CLICKY_DOWN,
    CK_RST  = QK_AUDIO_CLICKY_RESET,
    MU_ON   = QK_MUSIC_ON,
    MU_OFF  = QK_MUSIC_OFF,
    MU_TOGG = QK_MUSIC_TOGGLE,
    MU_NEXT = QK_MUSIC_MODE_NEXT,
    AU_NEXT = QK_AUDIO_VOICE_NEXT,
    AU_PREV = QK_AUDIO_VOICE_PREVIOUS,

    MC_0 = QK_MACRO_0, MC_1 = QK_MACRO_1, MC_2 = QK_MACRO_2, MC_3 = QK_MACRO_3,
    MC_4 = QK_MACRO_4, MC_5 = QK_MACRO_5, MC_6 = QK_MACRO_6, MC_7 = QK_MACRO_7,
    MC_8 = QK_MACRO_8, MC_9 = QK_MACRO_9, MC_10 = QK_MACRO_10, MC_11 = QK_MACRO_11,
    MC_12 = QK_MACRO_12, MC_13 = QK_MACRO_13, MC_14 = QK_MACRO_14, MC_15 = QK_MACRO_15,
    MC_16 = QK_MACRO_16, MC_17 = QK_MACRO_17, MC_18 = QK_MACRO_18, MC_19 = QK_MACRO_19,
    MC_20 = QK_MACRO_20, MC_21 = QK_MACRO_21, MC_22 = QK_MACRO_22, MC_23 = QK_MACRO_23,
    MC_24 = QK_MACRO_24, MC_25 = QK_MACRO_25, MC_26 = QK_MACRO_26, MC_27 = QK_MACRO_27,
    MC_28 = QK_MACRO_28, MC_29 = QK_MACRO_29, MC_30 = QK_MACRO_30, MC_31 = QK_MACRO_31,

    OU_AUTO = QK_OUTPUT_AUTO,
    OU_NEXT = QK_OUTPUT_NEXT,
    OU_PREV = QK_OUTPUT_PREV,
    OU_NONE = QK_OUTPUT_NONE,
    OU_USB  = QK_OUTPUT_USB,
    OU_2P4G = QK_OUTPUT_2P4GHZ,
    OU_BT   = QK_OUTPUT_BLUETOOTH,
    BT_NEXT = QK_BLUETOOTH_PROFILE_NEXT,
    BT_PREV = QK_BLUETOOTH_PROFILE_PREV,
    BT_UNPR = QK_BLUETOOTH_UNPAIR,
    BT_PRF1 = QK_BLUETOOTH_PROFILE1,
    BT_PRF2 = QK_BLUETOOTH_PROFILE2,
    BT_PRF3 = QK_BLUETOOTH_PROFILE3,
    BT_PRF4 = QK_BLUETOOTH_PROFILE4,
    BT_PRF5 = QK_BLUETOOTH_PROFILE5,

    BL_ON   = QK_BACKLIGHT_ON,
    BL_OFF  = QK_BACKLIGHT_OFF,
    BL_TOGG = QK_BACKLIGHT_TOGGLE,
    BL_DOWN = QK_BACKLIGHT_DOWN,
    BL_UP   = QK_BACKLIGHT_UP,
    BL_STEP = QK_BACKLIGHT_STEP,
    BL_BRTG = QK_BACKLIGHT_TOGGLE_BREATHING,

    LM_ON   = QK_LED_MATRIX_ON,
    LM_OFF  = QK_LED_MATRIX_OFF,
    LM_TOGG = QK_LED_MATRIX_TOGGLE,
    LM_NEXT = QK_LED_MATRIX_MODE_NEXT,
    LM_PREV = QK_LED_MATRIX_MODE_PREVIOUS,
    LM_BRIU = QK_LED_MATRIX_BRIGHTNESS_UP,
    LM_BRID = QK_LED_MATRIX_BRIGHTNESS_DOWN,
    LM_SPDU = QK_LED_MATRIX_SPEED_UP,
    LM_SPDD = QK_LED_MATRIX_SPEED_DOWN,
    LM_FLGN = QK_LED_MATRIX_FLAG_NEXT,
    LM_FLGP = QK_LED_MATRIX_FLAG_PREVIOUS,

    UG_TOGG = QK_UNDERGLOW_TOGGLE,
    UG_NEXT = QK_UNDERGLOW_MODE_NEXT,
    UG_PREV = QK_UNDERGLOW_MODE_PREVIOUS,
    UG_HUEU = QK_UNDERGLOW_HUE_UP,
    UG_HUED = QK_UNDERGLOW_HUE_DOWN,
    UG_SATU = QK_UNDERGLOW_SATURATION_UP,
    UG_SATD = QK_UNDERGLOW_SATURATION_DOWN,
    UG_VALU = QK_UNDERGLOW_VALUE_UP,
    UG_VALD = QK_UNDERGLOW_VALUE_DOWN,
    UG_SPDU = QK_UNDERGLOW_SPEED_UP,
    UG_SPDD = QK_UNDERGLOW_SPEED_DOWN,
    // The pre-2024 RGB_* names (deprecated upstream, still in many Configurator exports).
    RGB_TOG  = QK_UNDERGLOW_TOGGLE,
    RGB_MOD  = QK_UNDERGLOW_MODE_NEXT,
    RGB_MODE_FORWARD = QK_UNDERGLOW_MODE_NEXT,
    RGB_RMOD = QK_UNDERGLOW_MODE_PREVIOUS,
    RGB_MODE_REVERSE = QK_UNDERGLOW_MODE_PREVIOUS,
    RGB_HUI  = QK_UNDERGLOW_HUE_UP,
    RGB_HUD  = QK_UNDERGLOW_HUE_DOWN,
    RGB_SAI  = QK_UNDERGLOW_SATURATION_UP,
    RGB_SAD  = QK_UNDERGLOW_SATURATION_DOWN,
    RGB_VAI  = QK_UNDERGLOW_VALUE_UP,
    RGB_VAD  = QK_UNDERGLOW_VALUE_DOWN,
    RGB_SPI  = QK_UNDERGLOW_SPEED_UP,
    RGB_SPD  = QK_UNDERGLOW_SPEED_DOWN,
    RGB_M_P  = RGB_MODE_PLAIN,
    RGB_M_B  = RGB_MODE_BREATHE,
    RGB_M_R  = RGB_MODE_RAINBOW,
    RGB_M_SW = RGB_MODE_SWIRL,
    RGB_M_SN = RGB_MODE_SNAKE,
    RGB_M_K  = RGB_MODE_KNIGHT,
    RGB_M_X  = RGB_MODE_XMAS,
    RGB_M_G  = RGB_MODE_GRADIENT,
    RGB_M_T  = RGB_MODE_RGBTEST,
    RGB_M_TW = RGB_MODE_TWINKLE,

    RM_ON   = QK_RGB_MATRIX_ON,
    RM_OFF  = QK_RGB_MATRIX_OFF,
    RM_TOGG = QK_RGB_MATRIX_TOGGLE,
    RM_NEXT = QK_RGB_MATRIX_MODE_NEXT,
    RM_PREV = QK_RGB_MATRIX_MODE_PREVIOUS,
    RM_HUEU = QK_RGB_MATRIX_HUE_UP,
    RM_HUED = QK_RGB_MATRIX_HUE_DOWN,
    RM_SATU = QK_RGB_MATRIX_SATURATION_UP,
    RM_SATD = QK_RGB_MATRIX_SATURATION_DOWN,
    RM_VALU = QK_RGB_MATRIX_VALUE_UP,
    RM_VALD = QK_RGB_MATRIX_VALUE_DOWN,
    RM_SPDU = QK_RGB_MATRIX_SPEED_UP,
    RM_SPDD = QK_RGB_MATRIX_SPEED_DOWN,
    RM_FLGN = QK_RGB_MATRIX_FLAG_NEXT,
    RM_FLGP = QK_RGB_MATRIX_FLAG_PREVIOUS,

    QK_BOOT = QK_BOOTLOADER,
    QK_RBT  = QK_REBOOT,
    DB_TOGG = QK_DEBUG_TOGGLE,
    EE_CLR  = QK_CLEAR_EEPROM,
    AS_DOWN = QK_AUTO_SHIFT_DOWN,
    AS_UP   = QK_AUTO_SHIFT_UP,
    AS_RPT  = QK_AUTO_SHIFT_REPORT,
    AS_ON   = QK_AUTO_SHIFT_ON,
    AS_OFF  = QK_AUTO_SHIFT_OFF,
    AS_TOGG = QK_AUTO_SHIFT_TOGGLE,
    QK_GESC = QK_GRAVE_ESCAPE,
    VK_TOGG = QK_VELOCIKEY_TOGGLE,
    SC_LCPO = QK_SPACE_CADET_LEFT_CTRL_PARENTHESIS_OPEN,
    SC_RCPC = QK_SPACE_CADET_RIGHT_CTRL_PARENTHESIS_CLOSE,
    SC_LSPO = QK_SPACE_CADET_LEFT_SHIFT_PARENTHESIS_OPEN,
    SC_RSPC = QK_SPACE_CADET_RIGHT_SHIFT_PARENTHESIS_CLOSE,
    SC_LAPO = QK_SPACE_CADET_LEFT_ALT_PARENTHESIS_OPEN,
    SC_RAPC = QK_SPACE_CADET_RIGHT_ALT_PARENTHESIS_CLOSE,
    SC_SENT = QK_SPACE_CADET_RIGHT_SHIFT_ENTER,
    UC_NEXT = QK_UNICODE_MODE_NEXT,
    UC_PREV = QK_UNICODE_MODE_PREVIOUS,
    UC_MAC  = QK_UNICODE_MODE_MACOS,
    UC_LINX = QK_UNICODE_MODE_LINUX,
    UC_WIN  = QK_UNICODE_MODE_WINDOWS,
    UC_BSD  = QK_UNICODE_MODE_BSD,
    UC_WINC = QK_UNICODE_MODE_WINCOMPOSE,
    UC_EMAC = QK_UNICODE_MODE_EMACS,
    HF_ON   = QK_HAPTIC_ON,
    HF_OFF  = QK_HAPTIC_OFF,
    HF_TOGG = QK_HAPTIC_TOGGLE,
    HF_RST  = QK_HAPTIC_RESET,
    HF_FDBK = QK_HAPTIC_FEEDBACK_TOGGLE,
    HF_BUZZ = QK_HAPTIC_BUZZ_TOGGLE,
    HF_NEXT = QK_HAPTIC_MODE_NEXT,
    HF_PREV = QK_HAPTIC_MODE_PREVIOUS,
    HF_CONT = QK_HAPTIC_CONTINUOUS_TOGGLE,
    HF_CONU = QK_HAPTIC_CONTINUOUS_UP,
    HF_COND = QK_HAPTIC_CONTINUOUS_DOWN,
    HF_DWLU = QK_HAPTIC_DWELL_UP,
    HF_DWLD = QK_HAPTIC_DWELL_DOWN,
    CM_ON   = QK_COMBO_ON,
    CM_OFF  = QK_COMBO_OFF,
    CM_TOGG = QK_COMBO_TOGGLE,
    DM_REC1 = QK_DYNAMIC_MACRO_RECORD_START_1,
    DM_REC2 = QK_DYNAMIC_MACRO_RECORD_START_2,
    DM_RSTP = QK_DYNAMIC_MACRO_RECORD_STOP,
    DM_PLY1 = QK_DYNAMIC_MACRO_PLAY_1,
    DM_PLY2 = QK_DYNAMIC_MACRO_PLAY_2,
    QK_LEAD = QK_LEADER,
    OS_ON   = QK_ONE_SHOT_ON,
    OS_OFF  = QK_ONE_SHOT_OFF,
    OS_TOGG = QK_ONE_SHOT_TOGGLE,
    KO_TOGG = QK_KEY_OVERRIDE_TOGGLE,
    KO_ON   = QK_KEY_OVERRIDE_ON,
    KO_OFF  = QK_KEY_OVERRIDE_OFF,
    SE_LOCK = QK_SECURE_LOCK,
    SE_UNLK = QK_SECURE_UNLOCK,
    SE_TOGG = QK_SECURE_TOGGLE,
    SE_REQ  = QK_SECURE_REQUEST,
    DT_PRNT = QK_DYNAMIC_TAPPING_TERM_PRINT,
    DT_UP   = QK_DYNAMIC_TAPPING_TERM_UP,
    DT_DOWN = QK_DYNAMIC_TAPPING_TERM_DOWN,
    CW_TOGG = QK_CAPS_WORD_TOGGLE,
    AC_ON   = QK_AUTOCORRECT_ON,
    AC_OFF  = QK_AUTOCORRECT_OFF,
    AC_TOGG = QK_AUTOCORRECT_TOGGLE,
    TL_LOWR = QK_TRI_LAYER_LOWER,
    TL_UPPR = QK_TRI_LAYER_UPPER,
    QK_REP  = QK_REPEAT_KEY,
    QK_AREP = QK_ALT_REPEAT_KEY,
    QK_LLCK = QK_LAYER_LOCK,

    // First free keycode for keymap-defined custom keycodes.
    SAFE_RANGE = QK_USER,
};

// Range tests used by the core.
#define IS_QK_BASIC(kc) ((kc) <= QK_BASIC_MAX)
#define IS_QK_MODS(kc) ((kc) >= QK_MODS && (kc) <= QK_MODS_MAX)
#define IS_QK_MOD_TAP(kc) ((kc) >= QK_MOD_TAP && (kc) <= QK_MOD_TAP_MAX)
#define IS_QK_LAYER_TAP(kc) ((kc) >= QK_LAYER_TAP && (kc) <= QK_LAYER_TAP_MAX)
#define IS_QK_LAYER_MOD(kc) ((kc) >= QK_LAYER_MOD && (kc) <= QK_LAYER_MOD_MAX)
#define IS_QK_TO(kc) ((kc) >= QK_TO && (kc) <= QK_TO_MAX)
#define IS_QK_MOMENTARY(kc) ((kc) >= QK_MOMENTARY && (kc) <= QK_MOMENTARY_MAX)
#define IS_QK_DEF_LAYER(kc) ((kc) >= QK_DEF_LAYER && (kc) <= QK_DEF_LAYER_MAX)
#define IS_QK_TOGGLE_LAYER(kc) ((kc) >= QK_TOGGLE_LAYER && (kc) <= QK_TOGGLE_LAYER_MAX)
#define IS_QK_ONE_SHOT_MOD(kc) ((kc) >= QK_ONE_SHOT_MOD && (kc) <= QK_ONE_SHOT_MOD_MAX)
#define IS_QK_LAYER_TAP_TOGGLE(kc) ((kc) >= QK_LAYER_TAP_TOGGLE && (kc) <= QK_LAYER_TAP_TOGGLE_MAX)
#define IS_MODIFIER_KEYCODE(kc) ((kc) >= KC_LEFT_CTRL && (kc) <= KC_RIGHT_GUI)
