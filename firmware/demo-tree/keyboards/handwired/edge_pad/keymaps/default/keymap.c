// qmk-edge demo tree: handwired/edge_pad "default" keymap (same as keymap.json).
#include QMK_KEYBOARD_H

const uint16_t PROGMEM keymaps[][MATRIX_ROWS][MATRIX_COLS] = {
    [0] = LAYOUT_ortho_4x4(
        KC_P7,        KC_P8,   KC_P9,   KC_PSLS,
        KC_P4,        KC_P5,   KC_P6,   KC_PAST,
        KC_P1,        KC_P2,   KC_P3,   KC_PMNS,
        LT(1, KC_P0), KC_PDOT, KC_PENT, KC_PPLS
    ),
    [1] = LAYOUT_ortho_4x4(
        KC_MPRV, KC_MPLY, KC_MNXT, KC_VOLU,
        C(KC_X), C(KC_C), C(KC_V), KC_VOLD,
        RGB_TOG, RGB_MOD, KC_CALC, KC_MUTE,
        _______, KC_NUM,  QK_BOOT, XXXXXXX
    ),
};
