// qmk-edge demo tree: handwired/edge_pad keyboard header (QMK_KEYBOARD_H).
//
// Each LAYOUT_* macro takes the keys in keyboard.json order and places them at their
// matrix position in a [MATRIX_ROWS][MATRIX_COLS] initialiser; matrix positions without
// a key are KC_NO. Argument kRC is the key at row R, column C (hex).
#pragma once

#include "quantum.h"

// LAYOUT_ortho_4x4: 16 keys
#define LAYOUT_ortho_4x4( \
    k00, k01, k02, k03, \
    k10, k11, k12, k13, \
    k20, k21, k22, k23, \
    k30, k31, k32, k33 \
) { \
    { k00, k01, k02, k03 }, \
    { k10, k11, k12, k13 }, \
    { k20, k21, k22, k23 }, \
    { k30, k31, k32, k33 } \
}

// LAYOUT_numpad_4x4: 14 keys
#define LAYOUT_numpad_4x4( \
    k00, k01, k02, k03, \
    k10, k11, k12, k13, \
    k20, k21, k22, \
    k30, k32, k33 \
) { \
    { k00, k01, k02, k03 }, \
    { k10, k11, k12, k13 }, \
    { k20, k21, k22, KC_NO }, \
    { k30, KC_NO, k32, k33 } \
}
