// qmk-edge demo tree: handwired/edge_duo keyboard header (QMK_KEYBOARD_H of every revision).
// The layout lives in rev1/keyboard.json; the parent's info.json aliases LAYOUT to it.
#pragma once

#include "quantum.h"

// LAYOUT_ortho_2x3: 6 keys
#define LAYOUT_ortho_2x3( \
    k00, k01, k02, \
    k10, k11, k12 \
) { \
    { k00, k01, k02 }, \
    { k10, k11, k12 } \
}
#define LAYOUT LAYOUT_ortho_2x3
