// qmk-edge demo tree: handwired/edge_split "default" keymap (same as keymap.json).
#include QMK_KEYBOARD_H

const uint16_t PROGMEM keymaps[][MATRIX_ROWS][MATRIX_COLS] = {
    [0] = LAYOUT_split_3x5_3(
        KC_Q,         KC_W,          KC_E,         KC_R,         KC_T,           KC_Y,          KC_U,         KC_I,         KC_O,         KC_P,
        LGUI_T(KC_A), LALT_T(KC_S),  LCTL_T(KC_D), LSFT_T(KC_F), KC_G,           KC_H,          RSFT_T(KC_J), RCTL_T(KC_K), LALT_T(KC_L), RGUI_T(KC_SCLN),
        KC_Z,         KC_X,          KC_C,         KC_V,         KC_B,           KC_N,          KC_M,         KC_COMM,      KC_DOT,       KC_SLSH,
        KC_ESC,       LT(1, KC_SPC), KC_TAB,       KC_ENT,       LT(2, KC_BSPC), OSM(MOD_LSFT)
    ),
    [1] = LAYOUT_split_3x5_3(
        KC_1,    KC_2,    KC_3,    KC_4,    KC_5,    KC_6,    KC_7,    KC_8,    KC_9,    KC_0,
        KC_EXLM, KC_AT,   KC_HASH, KC_DLR,  KC_PERC, KC_CIRC, KC_AMPR, KC_ASTR, KC_LPRN, KC_RPRN,
        KC_GRV,  KC_TILD, KC_PIPE, KC_BSLS, KC_UNDS, KC_MINS, KC_EQL,  KC_LBRC, KC_RBRC, KC_QUOT,
        _______, _______, _______, _______, MO(3),   _______
    ),
    [2] = LAYOUT_split_3x5_3(
        KC_PGUP, KC_HOME, KC_UP,   KC_END,  KC_INS,     MS_WHLU, MS_BTN1, MS_UP,   MS_BTN2, KC_PSCR,
        KC_PGDN, KC_LEFT, KC_DOWN, KC_RGHT, KC_DEL,     MS_WHLD, MS_LEFT, MS_DOWN, MS_RGHT, C_S_T(KC_T),
        C(KC_Z), C(KC_X), C(KC_C), C(KC_V), HYPR(KC_F), KC_MPRV, KC_VOLD, KC_VOLU, KC_MNXT, KC_MPLY,
        _______, MO(3),   _______, _______, _______,    _______
    ),
    [3] = LAYOUT_split_3x5_3(
        KC_F1,   KC_F2,   KC_F3,   KC_F4,   KC_F5,   KC_F6,           KC_F7,                         KC_F8,   KC_F9,     KC_F10,
        KC_F11,  KC_F12,  RGB_TOG, RGB_MOD, RGB_HUI, UG_SATU,         UG_VALU,                       RM_TOGG, BL_TOGG,   TG(1),
        QK_BOOT, EE_CLR,  DF(0),   TO(0),   TT(2),   LM(1, MOD_LSFT), MT(MOD_LCTL | MOD_LSFT, KC_A), OSL(2),  MEH(KC_M), ALL_T(KC_ESC),
        _______, _______, _______, _______, _______, _______
    ),
};
