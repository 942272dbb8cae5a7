// qmk-edge demo tree: handwired/edge_split - a split 3x5+3 (36 keys) handwired board
// (STM32F072, Cortex-M0). Rows 0-3 are the left half, rows 4-7 the right half.
// Force-included into every object of this keyboard; must agree with keyboard.json.
#pragma once

#define MATRIX_ROWS 8  // both halves: 4 rows each
#define MATRIX_COLS 5
#define DIODE_DIRECTION COL2ROW
#define SPLIT_KEYBOARD
