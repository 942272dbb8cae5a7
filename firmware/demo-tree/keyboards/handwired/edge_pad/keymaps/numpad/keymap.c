// qmk-edge demo tree: handwired/edge_pad "numpad" keymap, written in C (no keymap.json beside it).
#include QMK_KEYBOARD_H

const uint16_t PROGMEM keymaps[][MATRIX_ROWS][MATRIX_COLS] = {
    [0] = LAYOUT_numpad_4x4(
        KC_P7, KC_P8,   KC_P9,          KC_PMNS,
        KC_P4, KC_P5,   KC_P6,          KC_PPLS,
        KC_P1, KC_P2,   KC_P3,
        KC_P0, KC_PDOT, LT(1, KC_PENT)
    ),
    [1] = LAYOUT_numpad_4x4(
        KC_HOME, KC_UP,   KC_PGUP, KC_VOLD,
        KC_LEFT, XXXXXXX, KC_RGHT, KC_VOLU,
        KC_END,  KC_DOWN, KC_PGDN,
        KC_NUM,  QK_BOOT, _______
    ),
};
