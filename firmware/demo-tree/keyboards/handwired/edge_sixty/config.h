// qmk-edge demo tree: handwired/edge_sixty - a 60% ANSI handwired board (STM32F303, Cortex-M4F).
// Force-included into every object of this keyboard; must agree with keyboard.json.
#pragma once

#define MATRIX_ROWS 5
#define MATRIX_COLS 14
#define DIODE_DIRECTION COL2ROW
