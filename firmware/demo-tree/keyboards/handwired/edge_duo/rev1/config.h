// qmk-edge demo tree: handwired/edge_duo/rev1 - a 2x3 macropad (ATmega32U4). Force-included into
// every object of this keyboard; must agree with keyboard.json.
#pragma once

#define MATRIX_ROWS 2
#define MATRIX_COLS 3
#define DIODE_DIRECTION COL2ROW
