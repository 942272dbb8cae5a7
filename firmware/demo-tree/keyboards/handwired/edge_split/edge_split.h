// qmk-edge demo tree: handwired/edge_split keyboard header (QMK_KEYBOARD_H).
//
// Each LAYOUT_* macro takes the keys in keyboard.json order and places them at their
// matrix position in a [MATRIX_ROWS][MATRIX_COLS] initialiser; matrix positions without
// a key are KC_NO. Argument kRC is the key at row R, column C (hex).
#pragma once

#include "quantum.h"

// LAYOUT_split_3x5_3: 36 keys
#define LAYOUT_split_3x5_3( \
    k00, k01, k02, k03, k04, k40, k41, k42, k43, k44, \
    k10, k11, k12, k13, k14, k50, k51, k52, k53, k54, \
    k20, k21, k22, k23, k24, k60, k61, k62, k63, k64, \
    k32, k33, k34, k70, k71, k72 \
) { \
    { k00, k01, k02, k03, k04 }, \
    { k10, k11, k12, k13, k14 }, \
    { k20, k21, k22, k23, k24 }, \
    { KC_NO, KC_NO, k32, k33, k34 }, \
    { k40, k41, k42, k43, k44 }, \
    { k50, k51, k52, k53, k54 }, \
    { k60, k61, k62, k63, k64 }, \
    { k70, k71, k72, KC_NO, KC_NO } \
}

// "layout_aliases" in keyboard.json: LAYOUT is another name for LAYOUT_split_3x5_3.
#define LAYOUT LAYOUT_split_3x5_3
