// qmk-edge demo tree: handwired/edge_pad - a 4x4 handwired macropad (ATmega32U4, Pro Micro footprint).
// Force-included into every object of this keyboard; must agree with keyboard.json.
#pragma once

#define MATRIX_ROWS 4
#define MATRIX_COLS 4
#define DIODE_DIRECTION COL2ROW
