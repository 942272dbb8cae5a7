// qmk-edge demo tree: the header every keyboard header (QMK_KEYBOARD_H) includes.
//
// The keyboard's config.h (MATRIX_ROWS, MATRIX_COLS, ...) is force-included on the compiler
// command line (-include), as QMK does, so it is already in effect here.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#if !defined(MATRIX_ROWS) || !defined(MATRIX_COLS)
#    error "MATRIX_ROWS/MATRIX_COLS undefined: the keyboard's config.h was not force-included"
#endif

#include "progmem.h"
#include "keycodes.h"
#include "quantum_keycodes.h"
#include "keymap.h"
#include "action.h"
#include "send_string.h"
#include "encoder.h"
