// qmk-edge demo tree: handwired/edge_pad - a 4x4 handwired macropad (ATmega32U4, Pro Micro footprint).
// Force-included into every object of this keyboard; must agree with keyboard.json.
#pragma once

#define MATRIX_ROWS 4
#define MATRIX_COLS 4
#define DIODE_DIRECTION COL2ROW

// One rotary encoder (keyboard.json "encoder.rotary"); the demo platform numbers pins instead of naming them.
#define ENCODER_A_PINS { 24 }
#define ENCODER_B_PINS { 25 }
