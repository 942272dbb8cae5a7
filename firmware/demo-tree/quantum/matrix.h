// qmk-edge demo tree: the switch matrix.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#if MATRIX_COLS <= 8
typedef uint8_t matrix_row_t;
#elif MATRIX_COLS <= 16
typedef uint16_t matrix_row_t;
#else
typedef uint32_t matrix_row_t;
#endif

void matrix_init(void);

// Scan once; true when any key changed since the previous scan.
bool matrix_scan(void);

// Bit c of row r set = key [r][c] is down.
matrix_row_t matrix_get_row(uint8_t row);
